/**
 * From the LVM physical volumes of one disk to its volume groups and a reader per logical volume.
 * Each PV's label names its uuid and metadata areas; the newest metadata (highest seqno) of each
 * volume group says which PVs it spans and where each logical volume's extents lie. A group is
 * read only whole: a PV it lists that is not on this disk makes every volume of it unread. Only
 * linear and striped volumes are read; thin, RAID, mirror, snapshot, cache, VDO and integrity
 * volumes are refused by name, and so is any volume whose extents leave its PV or overlap
 * another's (the same bytes would be scanned twice, or bytes outside the disk read).
 */
import { errorText, isVmarketError } from '../../../errors.ts';
import type { Localized } from '../../../i18n/localized.ts';
import type { LogicalVolumeLayout, PartitionEntry, PhysicalVolumeLayout, RangeReader, VolumeGroupLayout } from '../types.ts';
import { dashedUuid, readPvLabel } from './label.ts';
import { LogicalVolumeReader, type LvSegment } from './lv-reader.ts';
import { readMetadataText } from './metadata-area.ts';
import { type LvMetadata, type PvMetadata, readVgMetadata, type VgMetadata } from './metadata.ts';
import {
  badStripeSize,
  badStripes,
  extentsOutsidePv,
  lvOutsidePv,
  lvOverlaps,
  lvRefused,
  lvUnknownPv,
  pvClaimedTwice,
  pvMarkedMissing,
  pvsMissing,
  pvTwice,
  segmentKind,
  snapshotOrigin,
  snapshotStore,
} from './texts.ts';

/** A partition (or the whole disk) that detectFileSystem calls `lvm`. */
export interface PhysicalVolumeSource {
  reader: RangeReader;
  partition: PartitionEntry | null;
}

/** A logical volume that can be read, with its reader. */
export interface OpenableVolume {
  group: string;
  name: string;
  reader: RangeReader;
  pvPartitions: number[];
}

export interface VolumeGroups {
  groups: VolumeGroupLayout[];
  volumes: OpenableVolume[];
  /** Per source (same index): why its label or metadata could not be read. */
  pvProblems: (Localized | undefined)[];
}

interface FoundPv {
  source: PhysicalVolumeSource;
  index: number;
}

/** Never throws for a bad image: what is wrong is in `pvProblems` and each group's `problems`. */
export async function readVolumeGroups(sources: PhysicalVolumeSource[]): Promise<VolumeGroups> {
  const pvProblems: (Localized | undefined)[] = sources.map(() => undefined);
  const byUuid = new Map<string, FoundPv>();
  const newest = new Map<string, VgMetadata>();
  for (const [index, source] of sources.entries()) {
    try {
      const label = await readPvLabel(source.reader);
      const first = byUuid.get(label.uuid);
      if (first) {
        pvProblems[index] = pvTwice(dashedUuid(label.uuid), first.source.partition?.number ?? null, source.partition?.number ?? null);
        continue;
      }
      byUuid.set(label.uuid, { source, index });
      for (const area of label.metadataAreas) {
        const text = await readMetadataText(source.reader, area);
        if (text === null) continue;
        const vg = readVgMetadata(text);
        const known = newest.get(vg.uuid);
        if (!known || vg.seqno > known.seqno) newest.set(vg.uuid, vg);
      }
    } catch (error) {
      if (!isVmarketError(error)) throw error;
      pvProblems[index] = errorText(error);
    }
  }
  const groups: VolumeGroupLayout[] = [];
  const volumes: OpenableVolume[] = [];
  // A PV belongs to one volume group: a second group (or a second entry) claiming it would read its bytes twice.
  const claimed = new Map<string, string>();
  for (const vg of newest.values()) {
    const { layout, openable } = assembleGroup(vg, byUuid, claimed);
    groups.push(layout);
    volumes.push(...openable);
  }
  return { groups, volumes, pvProblems };
}

function assembleGroup(vg: VgMetadata, byUuid: Map<string, FoundPv>, claimed: Map<string, string>): { layout: VolumeGroupLayout; openable: OpenableVolume[] } {
  const problems: Localized[] = [];
  for (const pv of vg.pvs) {
    const owner = claimed.get(pv.uuid);
    if (owner !== undefined) problems.push(pvClaimedTwice(vg.name, pv.key, owner));
    else claimed.set(pv.uuid, vg.name);
  }
  const pvs: PhysicalVolumeLayout[] = vg.pvs.map((pv) => {
    const found = byUuid.get(pv.uuid);
    return { key: pv.key, uuid: pv.uuid, ...(found ? { partition: found.source.partition?.number ?? null } : {}) };
  });
  const missing = vg.pvs.filter((pv) => !byUuid.has(pv.uuid)).map((pv) => `${pv.key} (${dashedUuid(pv.uuid)})`);
  if (missing.length > 0) problems.push(pvsMissing(vg.name, missing));
  for (const pv of vg.pvs) if (pv.flags.includes('MISSING')) problems.push(pvMarkedMissing(vg.name, pv.key));
  const readable = problems.length === 0;

  // Extents each PV really has: its metadata's count, cut to what its partition holds.
  const extentsOf = new Map<string, { pv: PvMetadata; found: FoundPv; extents: number }>();
  for (const pv of vg.pvs) {
    const found = byUuid.get(pv.uuid);
    if (!found) continue;
    const room = Math.max(0, Math.floor((found.source.reader.size - pv.peStart) / vg.extentSize));
    if (room < pv.peCount) problems.push(extentsOutsidePv(vg.name, pv.key, pv.peStart + pv.peCount * vg.extentSize, found.source.reader.size));
    extentsOf.set(pv.key, { pv, found, extents: Math.min(room, pv.peCount) });
  }

  const snapshots = snapshotRoles(vg);
  const lvs: LogicalVolumeLayout[] = [];
  const candidates: { lv: LvMetadata; layout: LogicalVolumeLayout }[] = [];
  for (const lv of vg.lvs) {
    // lvm2 hides a snapshot's store (`lvs` shows it by that name all the same): list it, refused
    if (!lv.visible && !snapshots.has(lv.name)) continue;
    const full = `${vg.name}/${lv.name}`;
    const layout: LogicalVolumeLayout = {
      name: lv.name,
      uuid: lv.uuid,
      sizeBytes: lv.extentCount * vg.extentSize,
      segments: lv.segments.map((s) => ({ startExtent: s.startExtent, extentCount: s.extentCount, type: s.type, stripes: Math.max(1, s.stripes.length), stripeSize: s.stripeSize })),
    };
    const refusal = snapshots.get(lv.name) ?? refusalOf(full, lv, vg, extentsOf);
    if (refusal) {
      layout.refused = refusal;
      problems.push(refusal);
    } else {
      candidates.push({ lv, layout });
    }
    lvs.push(layout);
  }
  for (const refused of overlapping(vg, candidates)) {
    refused.layout.refused = refused.reason;
    problems.push(refused.reason);
  }
  const openable = readable
    ? candidates.filter((c) => !c.layout.refused).map(({ lv }) => openableVolume(vg, lv, extentsOf))
    : [];
  return { layout: { name: vg.name, uuid: vg.uuid, seqno: vg.seqno, extentSize: vg.extentSize, pvs, lvs, problems }, openable };
}

/** Snapshot origins and snapshots (their copy-on-write stores) by name: the contents of each depend on the other. */
function snapshotRoles(vg: VgMetadata): Map<string, Localized> {
  const roles = new Map<string, Localized>();
  for (const lv of vg.lvs) {
    for (const segment of lv.segments) {
      if (segment.type !== 'snapshot' || !segment.origin || !segment.cowStore) continue;
      roles.set(segment.origin, lvRefused(`${vg.name}/${segment.origin}`, snapshotOrigin(`${vg.name}/${segment.cowStore}`)));
      roles.set(segment.cowStore, lvRefused(`${vg.name}/${segment.cowStore}`, snapshotStore(`${vg.name}/${segment.origin}`)));
    }
  }
  return roles;
}

/** Why a visible volume is not read, or undefined when its segments are linear or striped inside its PVs. */
function refusalOf(full: string, lv: LvMetadata, vg: VgMetadata, extentsOf: Map<string, { pv: PvMetadata; extents: number }>): Localized | undefined {
  for (const segment of lv.segments) {
    if (segment.type !== 'striped' && segment.type !== 'linear') return lvRefused(full, segmentKind(segment.type));
    const count = segment.stripes.length;
    if (segment.extentCount % count !== 0) return badStripes(full, segment.extentCount, count);
    const perStripe = segment.extentCount / count;
    if (count > 1 && (perStripe * vg.extentSize) % segment.stripeSize !== 0) return badStripeSize(full, segment.stripeSize);
    for (const area of segment.stripes) {
      const pv = extentsOf.get(area.pv);
      if (!pv) {
        if (vg.pvs.some((p) => p.key === area.pv)) continue; // a PV not on this disk: the group's problem says so
        return lvUnknownPv(full, area.pv);
      }
      if (area.extent + perStripe > pv.extents) return lvOutsidePv(full, area.pv, area.extent + perStripe - 1, pv.extents);
    }
  }
  return undefined;
}

/**
 * Volumes whose extents overlap on a PV, each with the reason: of two overlapping volumes the
 * one listed later is refused (a sweep over all extent ranges, sorted per PV).
 */
function overlapping(vg: VgMetadata, candidates: { lv: LvMetadata; layout: LogicalVolumeLayout }[]): { layout: LogicalVolumeLayout; reason: Localized }[] {
  const ranges: { pv: string; start: number; end: number; order: number }[] = [];
  for (const [order, { lv }] of candidates.entries()) {
    for (const segment of lv.segments) {
      const perStripe = segment.extentCount / segment.stripes.length;
      for (const area of segment.stripes) ranges.push({ pv: area.pv, start: area.extent, end: area.extent + perStripe, order });
    }
  }
  ranges.sort((a, b) => (a.pv < b.pv ? -1 : a.pv > b.pv ? 1 : a.start - b.start));
  const refused = new Map<number, { layout: LogicalVolumeLayout; reason: Localized }>();
  let reach: (typeof ranges)[number] | undefined;
  for (const range of ranges) {
    if (reach && reach.pv === range.pv && range.start < reach.end) {
      const [earlier, later] = reach.order < range.order ? [reach, range] : [range, reach];
      // a volume whose own stripes share extents is refused too
      if (!refused.has(later.order)) {
        const { layout } = candidates[later.order];
        refused.set(later.order, { layout, reason: lvOverlaps(`${vg.name}/${layout.name}`, `${vg.name}/${candidates[earlier.order].layout.name}`, range.pv) });
      }
    }
    if (!reach || reach.pv !== range.pv || range.end > reach.end) reach = range;
  }
  return [...refused.values()];
}

function openableVolume(vg: VgMetadata, lv: LvMetadata, extentsOf: Map<string, { pv: PvMetadata; found: FoundPv }>): OpenableVolume {
  const partitions = new Set<number>();
  const segments: LvSegment[] = lv.segments.map((segment) => {
    return {
      start: segment.startExtent * vg.extentSize,
      length: segment.extentCount * vg.extentSize,
      stripeSize: segment.stripeSize,
      areas: segment.stripes.map((area) => {
        const { pv, found } = extentsOf.get(area.pv)!;
        const number = found.source.partition?.number;
        if (number !== undefined) partitions.add(number);
        return { pv: found.source.reader, offset: pv.peStart + area.extent * vg.extentSize };
      }),
    };
  });
  const name = `${vg.name}/${lv.name}`;
  return { group: vg.name, name: lv.name, reader: new LogicalVolumeReader(name, segments), pvPartitions: [...partitions].sort((a, b) => a - b) };
}
