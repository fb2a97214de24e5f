/** Reading a Server-Sent Events answer in tests, the way the portal does (fetch + a stream reader). */
import assert from 'node:assert/strict';

export interface SseEvent {
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Reads a text/event-stream answer block by block (each block ends with a blank line). */
export function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    /** The next block, or null when the stream ended; fails after `timeoutMs`. */
    async next(timeoutMs = 10_000): Promise<SseEvent | null> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const parsed: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) parsed.comment = line.slice(1).trim();
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon) as 'event' | 'data' | 'retry';
              parsed[field] = line.slice(colon + 1).replace(/^ /, '');
            }
          }
          return parsed;
        }
        const left = deadline - Date.now();
        if (left <= 0) assert.fail(`no event within ${timeoutMs} ms; buffered: ${JSON.stringify(buffer)}`);
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), left);
          }),
        ]).finally(() => clearTimeout(timer));
        if (chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}
