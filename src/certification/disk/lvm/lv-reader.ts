/**
 * A logical volume as a RangeReader: its segments in order, each a range of the LV mapped to one
 * area of a PV (linear) or spread over several (striped: chunks of `stripeSize` bytes taken in
 * turn from each stripe, as dm-stripe maps them). A read is split at segment and stripe-chunk
 * boundaries into runs on the PVs; runs contiguous on one PV are read as one.
 */
import { VmarketError } from '../../../errors.ts';
import { type Phrase, say } from '../../../i18n/localized.ts';
import { readableLength } from '../range.ts';
import { SliceReader } from '../slice.ts';
import type { RangeReader } from '../types.ts';

export interface LvArea {
  /** The PV's reader (the partition, or the whole disk). */
  pv: RangeReader;
  /** Byte offset of the area on the PV. */
  offset: number;
}

export interface LvSegment {
  /** Byte offset in the LV. */
  start: number;
  length: number;
  /** Bytes of one chunk; unused with one area. */
  stripeSize: number;
  /** One area (linear) or one per stripe, each `length / areas.length` bytes long. */
  areas: LvArea[];
}

interface Run {
  pv: RangeReader;
  offset: number;
  length: number;
}

const shortRead: Phrase<[lv: string, position: number]> = {
  en: (lv, position) => `Logical volume ${lv} could not be read at byte ${position}: its physical volume ends early.`,
  de: (lv, position) => `Das logische Volume ${lv} konnte bei Byte ${position} nicht gelesen werden: sein physisches Volume endet zu früh.`,
};

export class LogicalVolumeReader implements RangeReader {
  readonly size: number;
  readonly #name: string;
  readonly #segments: LvSegment[];

  /** `segments` in order and contiguous from byte 0 (the volume-group layer checked them). */
  constructor(name: string, segments: LvSegment[]) {
    this.#name = name;
    this.#segments = segments;
    const last = segments.at(-1);
    this.size = last ? last.start + last.length : 0;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const wanted = readableLength(this.size, position, length);
    if (wanted === 0) return Buffer.alloc(0);
    const runs = this.#runs(position, wanted);
    if (runs.length === 1) return this.#readRun(runs[0], position);
    const parts = await Promise.all(runs.map((run) => this.#readRun(run, position)));
    return Buffer.concat(parts, wanted);
  }

  slice(offset: number, length: number): RangeReader {
    return new SliceReader(this, offset, length);
  }

  async #readRun(run: Run, position: number): Promise<Buffer> {
    const bytes = await run.pv.read(run.offset, run.length);
    if (bytes.length !== run.length) throw new VmarketError('IMAGE_CORRUPT', say(shortRead, this.#name, position));
    return bytes;
  }

  #runs(position: number, length: number): Run[] {
    const runs: Run[] = [];
    let at = position;
    const end = position + length;
    for (let i = this.#segmentAt(position); at < end; i++) {
      const segment = this.#segments[i];
      const segmentEnd = Math.min(end, segment.start + segment.length);
      if (segment.areas.length === 1) {
        push(runs, { pv: segment.areas[0].pv, offset: segment.areas[0].offset + (at - segment.start), length: segmentEnd - at });
        at = segmentEnd;
        continue;
      }
      const { stripeSize, areas } = segment;
      while (at < segmentEnd) {
        const relative = at - segment.start;
        const chunk = Math.floor(relative / stripeSize);
        const within = relative - chunk * stripeSize;
        const area = areas[chunk % areas.length];
        const row = Math.floor(chunk / areas.length);
        const take = Math.min(stripeSize - within, segmentEnd - at);
        push(runs, { pv: area.pv, offset: area.offset + row * stripeSize + within, length: take });
        at += take;
      }
    }
    return runs;
  }

  /** The index of the segment holding byte `position` (binary search; segments are sorted). */
  #segmentAt(position: number): number {
    let low = 0;
    let high = this.#segments.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.#segments[mid].start <= position) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** Appends a run, joining it to the last one when it continues it on the same PV. */
function push(runs: Run[], run: Run): void {
  const last = runs.at(-1);
  if (last && last.pv === run.pv && last.offset + last.length === run.offset) last.length += run.length;
  else runs.push(run);
}
