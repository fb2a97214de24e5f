/** A small JSON client for the vmarket API in tests: one call, one answer with status, headers and body. */

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export type ApiCall = (
  method: string,
  path: string,
  opts?: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> },
) => Promise<ApiAnswer>;

/**
 * Calls `base + path`: the token as a bearer, `body` as JSON (or `rawBody` as is); the answer's
 * body parsed when it says it is JSON, its text otherwise.
 */
export function apiClient(base: string): ApiCall {
  return async (method, p, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Buffer | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const res = await fetch(base + p, { method, headers, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body) });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const answerHeaders: Record<string, string> = {};
    res.headers.forEach((value, key) => (answerHeaders[key] = value));
    return { status: res.status, headers: answerHeaders, body: parsed };
  };
}
