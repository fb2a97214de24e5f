/**
 * A small client for the vmarket HTTP API (docs/contracts.md §5), used by every CLI command that talks
 * to a server. It turns the API's error documents into VmarketErrors (the server's code,
 * message and details, so the CLI prints one sentence plus one line per problem) and a refused
 * or failed connection into UNREACHABLE (exit 2).
 */
import { MAX_PAGE_SIZE } from '../contracts/pagination.ts';
import { ERROR_CODES, type ErrorCode, type ErrorDetail, errorCodeForStatus, VmarketError } from '../errors.ts';

/** Where the CLI sends requests when nothing else says. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export interface ConnectionOptions {
  /** `--url`; default `$VMARKET_URL`, else the credentials file's url, else {@link DEFAULT_SERVER_URL}. */
  url?: string;
  /** `--token`; default `$VMARKET_TOKEN`, else the credentials file's token. */
  token?: string;
  /** Use the operator token (`$VMARKET_OPERATOR_TOKEN`, else the credentials file's operatorToken) when no `--token` is given. */
  operator?: boolean;
  /** Environment to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface Connection {
  /** The server's base URL, without a trailing slash or `/api/v1`. */
  url: string;
  token?: string;
  /** The publisher the credentials file names, if the token came from it. */
  publisher?: string;
}

/** Resolves the server URL and token from flags, environment and the credentials file. */
export async function resolveConnection(options: ConnectionOptions = {}): Promise<Connection> {
  const env = options.env ?? process.env;
  // loaded on demand: commands that need no server (help, certify) never touch it
  const { readCredentials } = await import('../app/credentials.ts');
  const stored = readCredentials(env) ?? undefined;
  const url = options.url ?? env.VMARKET_URL ?? stored?.url ?? DEFAULT_SERVER_URL;
  let token = options.token;
  let publisher: string | undefined;
  if (!token && options.operator) token = env.VMARKET_OPERATOR_TOKEN ?? stored?.operatorToken;
  if (!token) token = env.VMARKET_TOKEN;
  if (!token && stored?.token) {
    token = stored.token;
    publisher = stored.publisher;
  }
  return { url: normalizeBaseUrl(url), token, publisher };
}

/** Accepts `http://host:8080`, `http://host:8080/` and `http://host:8080/api/v1` alike. */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VmarketError('USAGE', `the server URL ${JSON.stringify(url)} is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new VmarketError('USAGE', `the server URL ${url} must start with http:// or https://`);
  }
  return parsed.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text to send instead of JSON (with its own content type). */
  text?: string;
  /** Statuses that are answers rather than errors (e.g. 404 when asking whether a thing exists). */
  accept?: number[];
}

/** A client bound to one server and one bearer token. */
export class ApiClient {
  readonly baseUrl: string;
  readonly token: string | undefined;

  constructor(connection: Connection) {
    this.baseUrl = connection.url;
    this.token = connection.token;
  }

  /** The API URL (`<server>/api/v1`). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/v1`;
  }

  /**
   * Sends one request to `/api/v1<path>` and parses the JSON answer. Non-2xx answers throw the
   * server's error as a VmarketError (unless listed in `accept`); network failures throw
   * UNREACHABLE.
   */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.text !== undefined) body = options.text;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, { method, headers, body });
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
    const text = await response.text();
    let parsed: unknown = text;
    if (text && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok && !options.accept?.includes(response.status)) {
      throw apiError(response.status, parsed, method, path);
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  /**
   * Every item of a paged list (`{ <key>: [...], nextCursor }`, docs/contracts.md §5): follows
   * `nextCursor` page after page, at the largest page size, until the last page.
   */
  async getAll<T = unknown>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${MAX_PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = (await this.get<Record<string, unknown>>(`${path}${path.includes('?') ? '&' : '?'}${query}`)).body;
      const page = body?.[key];
      if (Array.isArray(page)) items.push(...(page as T[]));
      cursor = typeof body?.nextCursor === 'string' ? body.nextCursor : null;
    } while (cursor);
    return items;
  }

  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...options, body: body ?? {} });
  }

  put<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, { ...options, body });
  }
}

/** `encodeURIComponent` for path segments, so ids can never escape their place in a URL. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

function unreachable(url: string, error: unknown): VmarketError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new VmarketError('UNREACHABLE', `cannot reach the vmarket server at ${url}: ${reason}`, { cause: error });
}

function apiError(status: number, body: unknown, method: string, path: string): VmarketError {
  const error = (body as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
  const known = error?.code && error.code in ERROR_CODES ? (error.code as ErrorCode) : undefined;
  const code = known ?? errorCodeForStatus(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
  const message = error?.message ?? `the server answered ${status} to ${method} /api/v1${path}`;
  const details = Array.isArray(error?.details) ? error.details : [];
  if (code === 'UNAUTHORIZED' && !/login|token/i.test(message)) {
    return new VmarketError(code, `${message} (pass --token, set VMARKET_TOKEN or run \`vmarket login\`)`, { details });
  }
  return new VmarketError(code, message, { details });
}
