/**
 * The live catalogue as a simplestreams mirror (issue 13; the format of Canonical's simplestreams,
 * doc/README there): an `index:1.0` document listing one `products:1.0` document per publisher,
 * each product one plan of an offer on one architecture, its version the live one, its items the
 * distinct files the plan's regions serve (one per format: the source file, or a conversion).
 *
 * Everything here is a pure function of the slots it is handed, so the public mirror (every live
 * slot) and an entitled mirror (the slots of one acquisition, with its own item paths) build the
 * same documents. Item paths come from `streamItemPath` only: the route that answers them parses
 * them back with `parseStreamItemPath`.
 */
import type { SlotDocument } from '../pipeline/packages.ts';
import type { PackageImage } from '../contracts/index.ts';

/** One live slot as the streams read it: the slot document and the architecture it was certified for. */
export interface StreamSlot {
  publisherId: string;
  offerId: string;
  doc: SlotDocument;
  /** Debian architecture name (`amd64`, `arm64`) of the slot's OS images; default `amd64`. */
  arch?: string;
}

export interface StreamsOptions {
  /** The reverse-domain part of content ids and product names, e.g. `com.example.market`. */
  prefix: string;
}

export type StreamItem = {
  ftype: string;
  path: string;
  sha256: string;
  size: number;
  /** The disk format by the names OpenStack uses (`qcow2`, `raw`, `vmdk`, `vhd`, `vhdx`). */
  disk_format: string;
  /** vmarket's name of the format (`qcow2`, `vhd-fixed`, …). */
  format: string;
  role: 'os' | 'data';
  lun?: number;
  virtual_sha256?: string;
  /** The regions serving this file, comma-separated (a string, so sstream-query's filters see it). */
  regions: string;
};

export type StreamVersion = {
  /** The plan's image version (the offer file's semver). */
  image_version: string;
  published_at: string;
  pubname: string;
  items: Record<string, StreamItem>;
};

export type StreamProduct = {
  arch: string;
  os: string;
  os_family: string;
  release: string;
  version: string;
  release_title: string;
  label: string;
  publisher: string;
  offer: string;
  offer_title: string;
  plan: string;
  plan_title: string;
  pricing: string;
  versions: Record<string, StreamVersion>;
};

export type ProductsDocument = {
  format: 'products:1.0';
  datatype: 'image-downloads';
  content_id: string;
  updated: string;
  products: Record<string, StreamProduct>;
};

export type IndexEntry = {
  format: 'products:1.0';
  datatype: 'image-downloads';
  path: string;
  updated: string;
  products: string[];
};

export type IndexDocument = {
  format: 'index:1.0';
  updated: string;
  index: Record<string, IndexEntry>;
};

export interface Streams {
  index: IndexDocument;
  /** content id → its products document. */
  products: Record<string, ProductsDocument>;
  /** When the newest slot was published (the documents' `updated`), for Last-Modified. */
  updatedAt: Date;
}

/** Where the documents live, relative to the mirror root (doc/README: `streams/v1/index.sjson`). */
export const STREAMS_DIR = 'streams/v1';
/** Where the armored public key of the `.sjson` signatures is served, relative to the mirror root. */
export const STREAMS_KEY_FILE = `${STREAMS_DIR}/signing-key.asc`;
/** Where item paths start, relative to the mirror root. */
export const ITEMS_DIR = 'streams/items';

/**
 * The default prefix: the public URL's host name reversed (`market.example.com` →
 * `com.example.market`), as simplestreams content ids start with a reverse domain. An IP address
 * is kept as it is (reversed it would name nothing).
 */
export function streamsPrefix(publicUrl: string): string {
  const host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  if (/^[\d.]+$/.test(host) || host.includes(':')) return host.replace(/:/g, '-');
  return host.split('.').filter(Boolean).reverse().join('.');
}

/** The content id of one publisher's products document. */
export function contentId(prefix: string, publisherId: string): string {
  return `${prefix}:${publisherId}`;
}

/** The mirror-relative path of a products document, unsigned (`.json`) or signed (`.sjson`). */
export function productsPath(id: string, signed: boolean): string {
  return `${STREAMS_DIR}/${id}.${signed ? 'sjson' : 'json'}`;
}

const EXTENSIONS: Record<string, string> = { qcow2: 'qcow2', raw: 'img', vmdk: 'vmdk', 'vhd-fixed': 'vhd', 'vhd-dynamic': 'vhd', 'vhd-differencing': 'vhd', vhdx: 'vhdx' };
const DISK_FORMATS: Record<string, string> = { qcow2: 'qcow2', raw: 'raw', vmdk: 'vmdk', 'vhd-fixed': 'vhd', 'vhd-dynamic': 'vhd', 'vhd-differencing': 'vhd', vhdx: 'vhdx' };

function extensionOf(format: string): string {
  return EXTENSIONS[format] ?? 'img';
}

/** What one item path names. */
export interface StreamItemRef {
  publisherId: string;
  offerId: string;
  planId: string;
  serial: string;
  sha256: string;
  format: string;
}

/**
 * The mirror-relative path of one file: `streams/items/<publisher>/<offer>/<plan>/<serial>/<sha256>.<ext>`.
 * The SHA-256 in the name keeps a path's content immutable, as simplestreams requires.
 */
export function streamItemPath(item: StreamItemRef): string {
  return `${ITEMS_DIR}/${item.publisherId}/${item.offerId}/${item.planId}/${item.serial}/${item.sha256}.${extensionOf(item.format)}`;
}

const ITEM_PATH = /^streams\/items\/([a-z0-9-]+)\/([a-z0-9-]+)\/([a-z0-9-]+)\/(\d{8}\.\d{6})\/([0-9a-f]{64})\.([a-z0-9]+)$/;

/** What `streamItemPath` made `path` from (the format as its extension), or undefined. */
export function parseStreamItemPath(path: string): Omit<StreamItemRef, 'format'> & { extension: string } | undefined {
  const m = ITEM_PATH.exec(path.replace(/^\/+/, ''));
  if (!m) return undefined;
  return { publisherId: m[1], offerId: m[2], planId: m[3], serial: m[4], sha256: m[5], extension: m[6] };
}

/** `YYYYMMDD.HHMMSS` (UTC) of when the slot was published: sorts with `LANG=C sort`, as version keys must. */
export function versionSerial(publishedAt: string): string {
  const at = new Date(publishedAt);
  const t = Number.isNaN(at.getTime()) ? new Date(0) : at;
  const iso = t.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}.${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** The RFC 2822 time simplestreams' `updated` fields hold. */
export function rfc2822(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The distinct files one image's regions serve: one per SHA-256, with the regions serving it. */
function imageFiles(image: PackageImage): { format: string; sha256: string; size: number; virtualSha256?: string; regions: string[] }[] {
  const files = new Map<string, { format: string; sha256: string; size: number; virtualSha256?: string; regions: string[] }>();
  const add = (region: string, file: { format: string; sha256: string; size: number; virtualSha256?: string }) => {
    const known = files.get(file.sha256);
    if (known) known.regions.push(region);
    else files.set(file.sha256, { ...file, regions: [region] });
  };
  if (image.copies) {
    for (const [region, copy] of Object.entries(image.copies)) add(region, copy);
  } else {
    // packages from before delivery formats: every location holds the certified file
    for (const region of Object.keys(image.locations)) {
      add(region, { format: image.format ?? 'unknown', sha256: image.sha256, size: image.size, virtualSha256: image.virtualSha256 });
    }
  }
  return [...files.values()].map((f) => ({ ...f, regions: f.regions.sort() })).sort((a, b) => a.format.localeCompare(b.format) || a.sha256.localeCompare(b.sha256));
}

/** The `ftype` consumers pick items by: `disk1.img` is the qcow2 OS disk glance-simplestreams-sync takes by default. */
function ftypeOf(role: 'os' | 'data', lun: number | null, format: string): string {
  if (role === 'os' && format === 'qcow2') return 'disk1.img';
  return `${role === 'os' ? 'disk' : `data${lun ?? 0}`}.${extensionOf(format)}`;
}

function versionItems(slot: StreamSlot, planId: string, serial: string, images: PackageImage[]): Record<string, StreamItem> {
  const items: Record<string, StreamItem> = {};
  for (const image of images) {
    const base = image.role === 'os' ? 'os' : `data${image.lun ?? 0}`;
    for (const file of imageFiles(image)) {
      let name = `${base}.${file.format}`;
      if (items[name]) name = `${name}.${file.sha256.slice(0, 12)}`;
      items[name] = {
        ftype: ftypeOf(image.role, image.lun, file.format),
        path: streamItemPath({ publisherId: slot.publisherId, offerId: slot.offerId, planId, serial, sha256: file.sha256, format: file.format }),
        sha256: file.sha256,
        size: file.size,
        disk_format: DISK_FORMATS[file.format] ?? file.format,
        format: file.format,
        role: image.role,
        ...(image.lun !== null ? { lun: image.lun } : {}),
        ...(file.virtualSha256 ? { virtual_sha256: file.virtualSha256 } : {}),
        regions: file.regions.join(','),
      };
    }
  }
  return items;
}

/** The products of one live slot: one per plan that has a signed package with images. */
function slotProducts(slot: StreamSlot, prefix: string): [string, StreamProduct][] {
  const offer = slot.doc.offer;
  const listing = (offer.listing ?? {}) as Record<string, unknown>;
  const arch = slot.arch ?? 'amd64';
  const serial = versionSerial(slot.doc.publishedAt);
  const out: [string, StreamProduct][] = [];
  for (const plan of offer.plans ?? []) {
    const pkg = slot.doc.packages?.[plan.id]?.package;
    if (!pkg || pkg.images.length === 0) continue;
    const os = plan.os ?? {};
    const osVersion = /\d+(?:\.\d+)*/.exec(text(os.name))?.[0] ?? '';
    const name = `${prefix}:${slot.publisherId}:${slot.offerId}:${plan.id}:${arch}`;
    out.push([
      name,
      {
        arch,
        os: text(os.type),
        os_family: text(os.family),
        release: osVersion,
        version: osVersion,
        release_title: text(os.name),
        label: 'release',
        publisher: slot.publisherId,
        offer: slot.offerId,
        offer_title: text(listing.title),
        plan: plan.id,
        plan_title: text(plan.title),
        pricing: text((plan.pricing as Record<string, unknown> | undefined)?.model),
        versions: {
          [serial]: {
            image_version: pkg.version,
            published_at: slot.doc.publishedAt,
            pubname: `${slot.publisherId}-${slot.offerId}-${plan.id}-${pkg.version}-${arch}`,
            items: versionItems(slot, plan.id, serial, pkg.images),
          },
        },
      },
    ]);
  }
  return out;
}

/**
 * The index and the products documents of `slots` (the caller hands in live slots only). The
 * documents' `updated` is the newest slot's publication time, so they change only when the
 * catalogue does.
 */
export function buildStreams(slots: readonly StreamSlot[], options: StreamsOptions): Streams {
  const byPublisher = new Map<string, StreamSlot[]>();
  for (const slot of [...slots].sort((a, b) => a.publisherId.localeCompare(b.publisherId) || a.offerId.localeCompare(b.offerId))) {
    byPublisher.set(slot.publisherId, [...(byPublisher.get(slot.publisherId) ?? []), slot]);
  }
  const newest = (list: readonly StreamSlot[]) =>
    new Date(Math.max(0, ...list.map((s) => new Date(s.doc.publishedAt).getTime()).filter((t) => !Number.isNaN(t))));
  const updatedAt = newest(slots);
  const index: IndexDocument = { format: 'index:1.0', updated: rfc2822(updatedAt), index: {} };
  const products: Record<string, ProductsDocument> = {};
  for (const [publisherId, mine] of byPublisher) {
    const entries = mine.flatMap((slot) => slotProducts(slot, options.prefix));
    if (entries.length === 0) continue;
    const id = contentId(options.prefix, publisherId);
    const updated = rfc2822(newest(mine));
    products[id] = { format: 'products:1.0', datatype: 'image-downloads', content_id: id, updated, products: Object.fromEntries(entries) };
    index.index[id] = { format: 'products:1.0', datatype: 'image-downloads', path: productsPath(id, false), updated, products: entries.map(([name]) => name) };
  }
  return { index, products, updatedAt };
}

/** The index as `index.sjson` serves it: its entries point at the signed `.sjson` products documents. */
export function signedIndex(index: IndexDocument): IndexDocument {
  return {
    ...index,
    index: Object.fromEntries(Object.entries(index.index).map(([id, entry]) => [id, { ...entry, path: productsPath(id, true) }])),
  };
}

/** The text a document is served as (one space indent as simplestreams writes them, a final newline). */
export function streamsJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 1)}\n`;
}
