/**
 * The slots the public simplestreams mirror is built from: every offer's live slot, never a
 * preview (the preview audience is private) and nothing that was never live. The architecture of
 * each comes from its certification report (`linux.architecture` read the ELF machine of
 * /bin/sh), since the offer file does not state it.
 */
import { sql } from 'kysely';
import type { AppContext, Db } from '../app/context.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import { clearsign, streamSigningKey } from './streams-key.ts';
import { buildStreams, signedIndex, streamsJson, streamsPrefix, type StreamSlot } from './streams.ts';

/** The Debian name of the architecture `linux.architecture`'s evidence names (`ELF 64-bit x86-64`). */
export function archFromReport(report: unknown): string | undefined {
  const checks = (report as { checks?: { id?: string; evidence?: { detail?: unknown }[] }[] } | null)?.checks ?? [];
  const check = checks.find((c) => c.id === 'linux.architecture');
  for (const evidence of check?.evidence ?? []) {
    const detail = evidence.detail;
    const en = typeof detail === 'string' ? detail : typeof (detail as { en?: unknown })?.en === 'string' ? (detail as { en: string }).en : '';
    if (/aarch64/i.test(en)) return 'arm64';
    if (/x86-64/i.test(en)) return 'amd64';
  }
  return undefined;
}

/** The architecture each of `operations` was certified for, where its report says. */
export async function architectures(db: Db, operations: string[]): Promise<Map<string, string>> {
  const arch = new Map<string, string>();
  if (operations.length === 0) return arch;
  const reports = await db.kysely
    .selectFrom('certification_reports')
    // only the one check: reports hold every check's evidence and can be large
    .select(['operation_id', sql<unknown>`jsonb_build_object('checks', jsonb_path_query_array(report, '$.checks[*] ? (@.id == "linux.architecture")'))`.as('report')])
    .where('operation_id', 'in', operations)
    .orderBy('id')
    .execute();
  for (const r of reports) {
    const found = archFromReport(r.report);
    if (found) arch.set(r.operation_id, found);
  }
  return arch;
}

/** Every live slot, with the architecture its certification found. */
export async function loadLiveStreamSlots(db: Db): Promise<StreamSlot[]> {
  const rows = await db.kysely
    .selectFrom('offers')
    .select(['publisher_id', 'id', 'live', 'live_operation_id'])
    .where('live', 'is not', null)
    .orderBy('publisher_id')
    .orderBy('id')
    .execute();
  const arch = await architectures(db, rows.map((r) => r.live_operation_id).filter((id): id is string => typeof id === 'string'));
  return rows.map((r) => {
    const found = r.live_operation_id ? arch.get(r.live_operation_id) : undefined;
    return { publisherId: r.publisher_id, offerId: r.id, doc: r.live as unknown as SlotDocument, ...(found ? { arch: found } : {}) };
  });
}

/** One file of the public mirror as it is served. */
export interface MirrorFile {
  body: string;
  signed: boolean;
  /** The documents' `updated` time (Last-Modified). */
  modified: Date;
}

/**
 * The public mirror's document `name` under streams/v1 (`index.json`, `index.sjson`,
 * `<content_id>.json`, `<content_id>.sjson`), built from every live slot; undefined for any
 * other name.
 */
export async function publicMirrorFile(ctx: AppContext, name: string): Promise<MirrorFile | undefined> {
  return mirrorFile(ctx, await loadLiveStreamSlots(ctx.db), name);
}

/**
 * The document `name` under streams/v1 of a mirror of `slots` (the public one: every live slot;
 * an acquisition's: the one version it acquired), undefined for any other name.
 */
export async function mirrorFile(ctx: AppContext, slots: readonly StreamSlot[], name: string): Promise<MirrorFile | undefined> {
  const signed = name.endsWith('.sjson');
  if (!signed && !name.endsWith('.json')) return undefined;
  const streams = buildStreams(slots, { prefix: ctx.config.simplestreams.prefix ?? streamsPrefix(ctx.publicUrl) });
  const id = name.slice(0, name.lastIndexOf('.'));
  let doc: unknown;
  let modified = streams.updatedAt;
  if (id === 'index') doc = signed ? signedIndex(streams.index) : streams.index;
  else if (Object.hasOwn(streams.products, id)) {
    doc = streams.products[id];
    modified = new Date(streams.products[id].updated);
  } else return undefined;
  const text = streamsJson(doc);
  return { body: signed ? await clearsign(text, await streamSigningKey(ctx.db), modified) : text, signed, modified };
}
