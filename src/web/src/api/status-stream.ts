/**
 * The live publishing status of one offer: `GET …/status/events` (Server-Sent Events) read with
 * fetch() and a stream reader, because EventSource cannot send the Authorization header. When
 * the stream cannot be used (the endpoint answers 404/405/501, the answer is no event stream, or
 * it keeps failing) the client falls back to polling `GET …/status` every 2 s, so the page stays
 * current either way. Everything stops on unsubscribe.
 */
import type { OfferStatusDocument } from '../../../contracts/index.ts';
import { API_BASE, ApiError, api, interfaceLanguage, offerPath } from './client.ts';
import { session } from '../session.ts';

/** One dispatched Server-Sent Event: its type (default `message`) and its data lines joined by `\n`. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental parser of the `text/event-stream` format (HTML Living Standard, "Parsing an
 * event stream"): feed it decoded text as it arrives, in chunks cut anywhere, and it answers the
 * events completed by that text. Comment lines (`:`) are ignored; `retry:` is remembered.
 */
export class SseParser {
  private buffer = '';
  private started = false;
  private eventType = '';
  private dataLines: string[] = [];
  private lastId: string | undefined;
  /** The last `retry:` value the stream sent, in milliseconds. */
  retryMs: number | undefined;

  feed(text: string): SseEvent[] {
    this.buffer += text;
    if (!this.started && this.buffer.length > 0) {
      this.started = true;
      if (this.buffer.charCodeAt(0) === 0xfeff) this.buffer = this.buffer.slice(1);
    }
    const events: SseEvent[] = [];
    const lineBreak = /\r\n|\r|\n/g;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = lineBreak.exec(this.buffer))) {
      // a lone \r at the very end may be the first half of \r\n: wait for the next chunk
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(start, match.index);
      start = match.index + match[0].length;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventType = value;
    else if (field === 'data') this.dataLines.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const type = this.eventType || 'message';
    const lines = this.dataLines;
    this.eventType = '';
    this.dataLines = [];
    if (lines.length === 0) return undefined;
    return { event: type, data: lines.join('\n'), ...(this.lastId !== undefined ? { id: this.lastId } : {}) };
  }
}

/** How the page is kept current: `live` (the event stream), `polling`, or between the two. */
export type StatusMode = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'stopped';

export interface StatusConnection {
  mode: StatusMode;
  /** The last failure; in mode `stopped` the reason updates ended (401, 403, 404). */
  error: ApiError | null;
}

export const POLL_INTERVAL_MS = 2000;
const STREAM_RETRY_DEFAULT_MS = 2000;
const STREAM_RETRY_MAX_MS = 30_000;
/** Consecutive stream failures (none of them delivering an event) after which polling takes over. */
const STREAM_ATTEMPTS = 3;
/** The server sends a keepalive every 15 s; this much silence means the connection is dead. */
const STREAM_SILENCE_MS = 45_000;
/**
 * The server sends the first event at once; none within this time means something between
 * (e.g. a buffering proxy) holds the stream back, which counts as a failed attempt.
 */
const FIRST_EVENT_MS = 10_000;

/** Answers from the stream endpoint meaning "no stream here": use polling. */
const NO_STREAM = new Set([404, 405, 406, 501]);
/** Answers that polling cannot cure either: stop and say why. */
const FINAL = new Set([401, 403, 404]);

class StreamUnavailable extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

async function apiErrorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? body.error.code);
  } catch {
    // not the contract's JSON error
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

/**
 * Calls `onStatus` with the offer's status document (docs/contracts.md §5) at once and whenever it
 * changes, and `onState` whenever the way of getting it changes. Answers the unsubscribe
 * function, which ends the stream or the polling at once.
 */
export function subscribeToStatus(
  publisherId: string,
  offerId: string,
  onStatus: (doc: OfferStatusDocument) => void,
  onState: (connection: StatusConnection) => void,
): () => void {
  const controller = new AbortController();
  const signal = controller.signal;
  const path = `${offerPath(publisherId, offerId)}/status`;
  let last = '';
  let state: StatusConnection = { mode: 'connecting', error: null };

  const setState = (mode: StatusMode, error: ApiError | null) => {
    if (signal.aborted || (state.mode === mode && state.error?.code === error?.code && state.error?.message === error?.message)) return;
    state = { mode, error };
    onState(state);
  };
  const deliver = (json: string) => {
    if (signal.aborted || json === last) return;
    let doc: OfferStatusDocument;
    try {
      doc = JSON.parse(json) as OfferStatusDocument;
    } catch {
      return; // a damaged event: the next one carries the whole document again
    }
    last = json;
    onStatus(doc);
  };

  /** One connection to the stream; resolves when it ends, true when it delivered an event. */
  const stream = async (parser: SseParser): Promise<boolean> => {
    const headers: Record<string, string> = { accept: 'text/event-stream', 'accept-language': interfaceLanguage() };
    const token = session.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const connection = new AbortController();
    const abort = () => connection.abort();
    signal.addEventListener('abort', abort);
    let delivered = false;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(abort, delivered ? STREAM_SILENCE_MS : FIRST_EVENT_MS);
    };
    try {
      heard();
      const response = await fetch(`${API_BASE}${path}/events`, { headers, signal: connection.signal, cache: 'no-store' });
      if (NO_STREAM.has(response.status)) throw new StreamUnavailable(`HTTP ${response.status}`);
      if (!response.ok) throw await apiErrorOf(response);
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
        throw new StreamUnavailable('not an event stream');
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.feed(value)) {
          if (event.event !== 'status') continue;
          delivered = true;
          setState('live', null);
          deliver(event.data);
        }
        heard();
      }
    } catch (error) {
      if (signal.aborted) return delivered;
      if (error instanceof StreamUnavailable || (error instanceof ApiError && FINAL.has(error.status))) throw error;
      // a network failure, a server error or silence: the caller reconnects after a pause
    } finally {
      clearTimeout(silence);
      signal.removeEventListener('abort', abort);
    }
    return delivered;
  };

  const poll = async () => {
    while (!signal.aborted) {
      try {
        const doc = await api.get<OfferStatusDocument>(path, { signal });
        setState('polling', null);
        deliver(JSON.stringify(doc));
      } catch (error) {
        if (signal.aborted) return;
        const failure = error instanceof ApiError ? error : new ApiError(0, 'NETWORK', String(error));
        if (FINAL.has(failure.status)) return setState('stopped', failure);
        setState('polling', failure);
      }
      await sleep(POLL_INTERVAL_MS, signal);
    }
  };

  const run = async () => {
    const parser = new SseParser();
    let failures = 0;
    while (!signal.aborted) {
      try {
        const delivered = await stream(parser);
        failures = delivered ? 0 : failures + 1;
      } catch {
        // no stream here, or 401/403: polling takes over (and stops with the error it gets)
        break;
      }
      if (signal.aborted) return;
      if (failures >= STREAM_ATTEMPTS) break;
      setState('reconnecting', null);
      const retry = parser.retryMs ?? STREAM_RETRY_DEFAULT_MS;
      await sleep(Math.min(STREAM_RETRY_MAX_MS, retry * 2 ** Math.max(0, failures - 1)), signal);
    }
    if (!signal.aborted) await poll();
  };

  onState(state);
  void run();
  return () => controller.abort();
}
