/**
 * The slots the public simplestreams mirror is built from: every offer's live slot, never a
 * preview (the preview audience is private) and nothing that was never live. The architecture of
 * each comes from its certification report (`linux.architecture` read the ELF machine of
 * /bin/sh), since the offer file does not state it.
 */
import type { Db } from '../app/context.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import type { StreamSlot } from './streams.ts';

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

/** Every live slot, with the architecture its certification found. */
export async function loadLiveStreamSlots(db: Db): Promise<StreamSlot[]> {
  const rows = await db.kysely
    .selectFrom('offers')
    .select(['publisher_id', 'id', 'live', 'live_operation_id'])
    .where('live', 'is not', null)
    .orderBy('publisher_id')
    .orderBy('id')
    .execute();
  const operations = rows.map((r) => r.live_operation_id).filter((id): id is string => typeof id === 'string');
  const reports =
    operations.length === 0
      ? []
      : await db.kysely
          .selectFrom('certification_reports')
          .select(['operation_id', 'report'])
          .where('operation_id', 'in', operations)
          .orderBy('id')
          .execute();
  const arch = new Map<string, string>();
  for (const r of reports) {
    const found = archFromReport(r.report);
    if (found) arch.set(r.operation_id, found);
  }
  return rows.map((r) => {
    const found = r.live_operation_id ? arch.get(r.live_operation_id) : undefined;
    return { publisherId: r.publisher_id, offerId: r.id, doc: r.live as unknown as SlotDocument, ...(found ? { arch: found } : {}) };
  });
}
