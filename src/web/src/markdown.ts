/**
 * Offer descriptions are markdown written by publishers and read by customers, so rendering must
 * never run a script: markdown-it with raw HTML off (it escapes every tag and refuses
 * javascript:/vbscript:/data: links), then DOMPurify over the result as a second, independent line.
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

// links leave the marketplace: open in a new tab without giving the target a handle on us
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(markdown.render(source), { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'img'] });
}
