/**
 * Renders an offer's publishing status as the step table of `vmarket status`: each step's
 * status, a progress bar, elapsed time against the expected maximum, the stuck flag and its
 * latest message; then the messages that need attention and the preview/live links.
 */
import type { OfferStatusDocument, Step } from '../contracts/index.ts';
import { formatTable } from './table.ts';

/** `0.4s`, `12s`, `5m 03s`, `2h 05m`, `3d 4h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  const s = Math.floor(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  const hours = Math.floor((s % 86400) / 3600);
  return hours ? `${Math.floor(s / 86400)}d ${hours}h` : `${Math.floor(s / 86400)}d`;
}

/** An expected maximum as the seed writes it: `15m`, `2h`, `3d`; none for sign-off. */
export function formatMaximum(seconds: number | null): string {
  if (seconds === null || seconds === undefined) return 'none';
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return formatDuration(seconds);
}

/** A ten-cell bar with the percentage: `[#####-----]  50%`. */
export function progressBar(percentage: number, width = 10): string {
  const p = Math.max(0, Math.min(100, Math.round(percentage || 0)));
  const filled = Math.round((p / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(p).padStart(3)}%`;
}

/** Seconds a step has run: until it completed, or until `now` while it runs. */
export function elapsedSeconds(step: Step, now: number): number | null {
  if (!step.startedAt) return null;
  const end = step.completedAt ? Date.parse(step.completedAt) : now;
  return Math.max(0, (end - Date.parse(step.startedAt)) / 1000);
}

export interface RenderOptions {
  /** Offer label for the heading, e.g. `contoso/ubuntu-hardened`. */
  label: string;
  /** Time the elapsed column counts to for running steps; default now. */
  now?: number;
  /** Cut every line to this many characters (a terminal's width) so redraws stay aligned. */
  width?: number;
}

const ATTENTION = new Set(['blocked', 'inProgress', 'waitingForApproval', 'waitingForPublisherReview']);

/** The whole view as lines. */
export function renderStatus(view: OfferStatusDocument, options: RenderOptions): string[] {
  const now = options.now ?? Date.now();
  const lines: string[] = [];
  const op = view.operationId ? ` · operation ${view.operationId}` : '';
  lines.push(`${options.label}: ${view.status}${op}`);
  if (view.steps.length === 0) {
    lines.push('No publication yet: run `vmarket publish ' + options.label.split('/').pop() + '`.');
    return cut(lines, options.width);
  }
  const rows = view.steps.map((step) => {
    const elapsed = elapsedSeconds(step, now);
    const latest = step.messages.at(-1)?.text ?? '';
    return [
      step.id,
      step.status,
      progressBar(step.progressPercentage),
      `${elapsed === null ? '–' : formatDuration(elapsed)} / ${formatMaximum(step.expectedMaxSeconds)}`,
      step.stuck ? 'STUCK' : '',
      latest.replace(/\s+/g, ' '),
    ];
  });
  const header = ['STEP', 'STATUS', 'PROGRESS', 'ELAPSED / MAX', 'STUCK', 'LATEST MESSAGE'];
  lines.push(...formatTable(header, rows));

  for (const step of view.steps) {
    if (!ATTENTION.has(step.status) || step.messages.length <= 1) continue;
    // a blocked step's messages are the feedback to act on: show them all
    const shown = step.status === 'blocked' ? step.messages : step.messages.slice(-3);
    lines.push('', `${step.id} (${step.name}):`);
    for (const message of shown) lines.push(`  ${message.level === 'information' ? '·' : `${message.level}:`} ${message.text}`);
  }
  if (view.steps.some((s) => s.stuck)) {
    lines.push('', 'A step is past its expected maximum; a support ticket was opened (see `vmarket tickets list`).');
  }
  const links = [...linkLines('preview', view.previewLinks), ...linkLines('live', view.liveLinks)];
  if (links.length) lines.push('', ...links);
  return cut(lines, options.width);
}

/** Links come as an array of strings or `{displayText?, uri}` objects, or a map of names to URLs. */
function linkLines(kind: string, links: unknown): string[] {
  if (!links) return [];
  const entries: string[] = [];
  if (Array.isArray(links)) {
    for (const link of links) {
      if (typeof link === 'string') entries.push(link);
      else if (link && typeof link === 'object') {
        const l = link as Record<string, unknown>;
        const uri = l.uri ?? l.url ?? l.href;
        const text = l.displayText ?? l.name ?? l.title;
        if (typeof uri === 'string') entries.push(typeof text === 'string' ? `${text}: ${uri}` : uri);
      }
    }
  } else if (typeof links === 'object') {
    for (const [name, uri] of Object.entries(links as Record<string, unknown>)) {
      if (typeof uri === 'string') entries.push(`${name}: ${uri}`);
    }
  }
  return entries.map((e) => `${kind} link  ${e}`);
}

function cut(lines: string[], width: number | undefined): string[] {
  if (!width || width < 20) return lines;
  return lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
}
