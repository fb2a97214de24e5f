/**
 * The image's software bill of materials as CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/):
 * every package the guest's package databases list (dpkg, rpm), with a purl
 * (https://github.com/package-url/purl-spec: `pkg:deb/debian/NAME@VERSION?arch=…&distro=debian-12`,
 * `pkg:rpm/almalinux/NAME@VERSION?arch=…&epoch=…&distro=almalinux-9.4`) and the source package
 * as properties. Built from what certification already read; never from anything the guest runs.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { InstalledPackage } from '../packages/types.ts';

export const SBOM_MEDIA_TYPE = 'application/vnd.cyclonedx+json';
export const SBOM_FORMAT = 'CycloneDX 1.6';

/** What the report and the signed package say of the SBOM; the document itself is kept beside them. */
export interface SbomSummary {
  format: typeof SBOM_FORMAT;
  /** Number of components (installed packages). */
  components: number;
  /** SHA-256 (hex) of the SBOM's bytes exactly as stored and served. */
  sha256: string;
}

/** The fields of /etc/os-release the SBOM names (ID, VERSION_ID, PRETTY_NAME). */
export interface SbomOs {
  id: string;
  versionId: string;
  prettyName?: string;
}

export interface SbomInput {
  packages: InstalledPackage[];
  os: SbomOs | null;
  /** The image as its supplier named it, and its file's SHA-256 when known. */
  image: { name: string; sha256?: string };
  toolVersion: string;
  now: Date;
}

interface Property {
  name: string;
  value: string;
}

export interface CycloneDxComponent {
  type: 'library' | 'operating-system';
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  hashes?: { alg: 'SHA-256'; content: string }[];
  properties?: Property[];
}

export interface CycloneDxBom {
  bomFormat: 'CycloneDX';
  specVersion: '1.6';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string; version: string }[] };
    component: CycloneDxComponent;
  };
  components: CycloneDxComponent[];
}

/** purl's type for a package manager. */
const PURL_TYPES = { dpkg: 'deb', rpm: 'rpm' } as const;

/** A purl segment or qualifier value: percent-encoded except the unreserved characters (`:` of an epoch becomes %3A). */
function encode(value: string): string {
  return encodeURIComponent(value);
}

/** The package's purl. rpm keeps the epoch as a qualifier (purl-spec's rpm type); deb keeps it in the version. */
export function packagePurl(pkg: InstalledPackage, os: SbomOs | null): string {
  const namespace = os?.id ? `/${encode(os.id)}` : '';
  let version = pkg.version;
  const qualifiers: [string, string][] = [];
  if (pkg.architecture) qualifiers.push(['arch', pkg.architecture]);
  if (pkg.manager === 'rpm') {
    const colon = version.indexOf(':');
    if (colon > 0 && /^\d+$/.test(version.slice(0, colon))) {
      qualifiers.push(['epoch', version.slice(0, colon)]);
      version = version.slice(colon + 1);
    }
  }
  if (os?.id && os.versionId) qualifiers.push(['distro', `${os.id}-${os.versionId}`]);
  // qualifiers sorted by key, as purl's canonical form wants them
  qualifiers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = qualifiers.length ? `?${qualifiers.map(([k, v]) => `${k}=${encode(v)}`).join('&')}` : '';
  return `pkg:${PURL_TYPES[pkg.manager]}${namespace}/${encode(pkg.name)}${version ? `@${encode(version)}` : ''}${query}`;
}

function componentOf(pkg: InstalledPackage, os: SbomOs | null): CycloneDxComponent {
  const purl = packagePurl(pkg, os);
  const properties: Property[] = [{ name: 'vmarket:package:manager', value: pkg.manager }];
  if (pkg.architecture) properties.push({ name: 'vmarket:package:architecture', value: pkg.architecture });
  if (pkg.sourcePackage) properties.push({ name: 'vmarket:package:source', value: pkg.sourcePackage });
  if (pkg.sourceVersion) properties.push({ name: 'vmarket:package:sourceVersion', value: pkg.sourceVersion });
  return { type: 'library', 'bom-ref': purl, name: pkg.name, ...(pkg.version ? { version: pkg.version } : {}), purl, properties };
}

/** The SBOM of the packages of one image, components sorted by name (then purl) so the same image gives the same list. */
export function buildSbom(input: SbomInput): CycloneDxBom {
  const { os } = input;
  const seen = new Set<string>();
  const components: CycloneDxComponent[] = [];
  const sorted = [...input.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.architecture < b.architecture ? -1 : 1));
  for (const pkg of sorted) {
    const component = componentOf(pkg, os);
    // bom-refs must be unique: a database listing one package twice (a broken rpmdb) keeps one
    if (seen.has(component['bom-ref'])) continue;
    seen.add(component['bom-ref']);
    components.push(component);
  }
  const image: CycloneDxComponent = {
    type: 'operating-system',
    'bom-ref': 'image',
    name: input.image.name,
    ...(os?.versionId ? { version: os.versionId } : {}),
    ...(input.image.sha256 ? { hashes: [{ alg: 'SHA-256' as const, content: input.image.sha256 }] } : {}),
    properties: [
      ...(os?.id ? [{ name: 'vmarket:os:id', value: os.id }] : []),
      ...(os?.versionId ? [{ name: 'vmarket:os:versionId', value: os.versionId }] : []),
      ...(os?.prettyName ? [{ name: 'vmarket:os:prettyName', value: os.prettyName }] : []),
    ],
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: input.now.toISOString(),
      tools: { components: [{ type: 'application', name: 'vmarket', version: input.toolVersion }] },
      component: image,
    },
    components,
  };
}

/** The SBOM's bytes as stored and served, and the summary naming them. */
export function serializeSbom(bom: CycloneDxBom): { text: string; summary: SbomSummary } {
  const text = `${JSON.stringify(bom, null, 1)}\n`;
  return { text, summary: { format: SBOM_FORMAT, components: bom.components.length, sha256: createHash('sha256').update(text).digest('hex') } };
}
