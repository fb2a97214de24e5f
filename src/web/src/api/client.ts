/**
 * The one way the app talks to the server: the public HTTP API under /api/v1 (docs/contracts.md §5).
 * Every failure becomes an ApiError carrying the contract's error code, message and details
 * (the `details[].path` of a 422 is how the editor puts each problem at its field). Requests
 * name the interface's language, so the server's own texts (step messages, validation problems,
 * the certification report) come back in it.
 */
import { session } from '../session.ts';

export const API_BASE = '/api/v1';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the session's bearer token (default true when there is one). */
  auth?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

/** The interface's language (i18n keeps `<html lang>` on it), for `Accept-Language`. */
export function interfaceLanguage(): string {
  return document.documentElement.lang || 'en';
}

function requestHeaders(options: RequestOptions): Headers {
  const headers = new Headers(options.headers);
  headers.set('accept', headers.get('accept') ?? 'application/json');
  headers.set('accept-language', interfaceLanguage());
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const token = options.auth === false ? null : session.token();
  if (token) headers.set('authorization', `Bearer ${token}`);
  return headers;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  const error = (payload as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
  if (error?.code) return new ApiError(response.status, error.code, error.message ?? error.code, Array.isArray(error.details) ? error.details : []);
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

/** Sends a request; resolves with the parsed answer, rejects with ApiError (or the abort). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers: requestHeaders(options),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if ((cause as Error).name === 'AbortError') throw cause;
    throw new ApiError(0, 'NETWORK', (cause as Error).message || 'network error');
  }
  if (!response.ok) throw await errorFrom(response);
  const type = response.headers.get('content-type') ?? '';
  const data = (response.status === 204 ? undefined : type.includes('json') ? await response.json() : await response.text()) as T;
  return { status: response.status, headers: response.headers, data };
}

export const api = {
  get: async <T>(path: string, options?: RequestOptions): Promise<T> => (await request<T>('GET', path, options)).data,
  post: async <T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> => (await request<T>('POST', path, { ...options, body })).data,
  put: async <T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> => (await request<T>('PUT', path, { ...options, body })).data,
  patch: async <T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> => (await request<T>('PATCH', path, { ...options, body })).data,
  delete: async <T>(path: string, options?: RequestOptions): Promise<T> => (await request<T>('DELETE', path, options)).data,
};

/** A download's exact bytes (an SBOM whose SHA-256 is published must not be re-serialized), rejecting with ApiError. */
export async function getBlob(path: string, accept: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { headers: requestHeaders({ headers: { accept } }) });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', (cause as Error).message || 'network error');
  }
  if (!response.ok) throw await errorFrom(response);
  return response.blob();
}

/** `/publishers/{pub}/offers/{offer}` with both parts escaped. */
export function offerPath(publisherId: string, offerId: string): string {
  return `/publishers/${encodeURIComponent(publisherId)}/offers/${encodeURIComponent(offerId)}`;
}

export function publisherPath(publisherId: string): string {
  return `/publishers/${encodeURIComponent(publisherId)}`;
}
