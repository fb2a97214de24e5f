/**
 * The audit scope of one state-changing action: who acts, on what, from where. The HTTP layer
 * opens one per POST/PUT/PATCH/DELETE request (src/server/audit.ts), a non-HTTP action (the demo
 * publisher at start) opens its own with `runInAuditScope`. It travels with the async context
 * (AsyncLocalStorage), so `Db.transaction` finds it and appends the event inside the first
 * transaction the action commits — no route or service has to remember to audit.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { AuditActorKind } from '../contracts/audit.ts';
import { printable } from '../util/printable.ts';

export interface AuditActor {
  kind: AuditActorKind;
  publisherId: string | null;
  tokenId: string | null;
}

export interface AuditScope {
  actor: AuditActor;
  method: string;
  route: string;
  target: string | null;
  /** Whose resources the action is about (the publisher that reads the event). */
  publisherId: string | null;
  address: string | null;
  requestId: string | null;
  /** Set once the action's event is committed, and when the action is over: nothing more is appended. */
  recorded: boolean;
  /** Set while a transaction of this scope is about to append its event (no second one does). */
  claimed: boolean;
}

/** Longest target kept: targets come from request paths, which an attacker writes. */
const MAX_TARGET = 300;

const storage = new AsyncLocalStorage<AuditScope>();

export const ANONYMOUS: AuditActor = { kind: 'anonymous', publisherId: null, tokenId: null };

/** The scope of the running action, if any. */
export function currentAuditScope(): AuditScope | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it starts) in `scope`. */
export function runInAuditScope<T>(scope: AuditScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function newAuditScope(fields: Omit<AuditScope, 'recorded' | 'claimed' | 'target'> & { target?: string | null }): AuditScope {
  return { ...fields, target: clip(fields.target ?? null), recorded: false, claimed: false };
}

/**
 * Runs `fn`, an action vmarket takes by itself outside a request (e.g. making the demo publisher
 * at start), as an audited action of actor `system`: its first transaction appends its event.
 */
export function runAsSystem<T>(action: string, subject: { target: string; publisherId: string | null }, fn: () => Promise<T>): Promise<T> {
  const scope = newAuditScope({ actor: { kind: 'system', publisherId: null, tokenId: null }, method: 'SYSTEM', route: action, ...subject, address: null, requestId: null });
  return runInAuditScope(scope, async () => {
    try {
      return await fn();
    } finally {
      scope.recorded = true;
    }
  });
}

/** Names what the running action changed more exactly than its path does (e.g. the ticket it opened). */
export function noteAuditTarget(target: string, publisherId?: string): void {
  const scope = storage.getStore();
  if (!scope || scope.recorded) return;
  scope.target = clip(target);
  if (publisherId !== undefined && scope.publisherId === null) scope.publisherId = publisherId;
}

/** A token's fingerprint for the audit log: the first 12 hex of its SHA-256 (of `hash`, when given). */
export function tokenId(token: { token: string } | { hash: string }): string {
  const hash = 'hash' in token ? token.hash : createHash('sha256').update(token.token, 'utf8').digest('hex');
  return hash.slice(0, 12);
}

/**
 * A target as stored: control characters written out (`\x1b`), so an escape sequence a caller put
 * into a path never reaches an operator's terminal or page as one; at most MAX_TARGET characters.
 */
function clip(text: string | null): string | null {
  if (text === null) return null;
  const visible = printable(text);
  return visible.length <= MAX_TARGET ? visible : `${visible.slice(0, MAX_TARGET - 1)}…`;
}
