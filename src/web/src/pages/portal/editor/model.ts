/**
 * The editor's form state and its two-way mapping to the offer file (docs/contracts.md §2).
 *
 * The form keeps what a person types (numbers as text, empty optional fields as ''), so half-typed
 * values survive re-renders; `documentFromForm` turns it into the document the API validates.
 * Rows are never filtered or reordered on the way out: a 422 detail such as
 * `plans[0].images[1].osDisk` must name the row the person sees at that index.
 */

export interface ContactForm {
  name: string;
  email: string;
  phone: string;
  url: string;
}

export interface PortForm {
  protocol: string;
  port: string;
}

export interface DataDiskForm {
  lun: string;
  source: string;
  /** The declared format ('' = none declared); kept as the offer file had it. */
  format?: string;
}

export interface ImageForm {
  version: string;
  osDisk: string;
  /** The OS disk's declared format ('' = none declared); kept as the offer file had it. */
  osDiskFormat?: string;
  dataDisks: DataDiskForm[];
}

export interface PlanForm {
  id: string;
  title: string;
  summary: string;
  description: string;
  os: { family: string; type: string; name: string };
  regions: string[];
  recommendedSizes: string[];
  openPorts: PortForm[];
  pricing: { model: string; hourlyUsd: string };
  images: ImageForm[];
}

export type LeadDestination = 'none' | 'https' | 'email' | 'table';
export const LEAD_DESTINATIONS: LeadDestination[] = ['table', 'email', 'https', 'none'];
export const PRICING_MODELS = ['free', 'byol', 'hourly'] as const;
export const OS_FAMILIES = ['linux', 'windows'] as const;
export const PROTOCOLS = ['tcp', 'udp'] as const;

export interface EditorForm {
  id: string;
  publisher: string;
  listing: {
    title: string;
    summary: string;
    description: string;
    categories: string[];
    keywords: string[];
    privacyUrl: string;
    termsOfUse: string;
    support: ContactForm;
    engineering: Omit<ContactForm, 'url'>;
  };
  previewAudience: string[];
  leads: { destination: string; httpsUrl: string; emailTo: string[] };
  /** `present`: the document has a testDrive section (it is optional in the offer file). */
  testDrive: { present: boolean; enabled: boolean; regions: string[]; hotInstances: string; durationHours: string; userManualUrl: string };
  plans: PlanForm[];
  /** Top-level keys the editor has no controls for (e.g. `metadata`), written back unchanged. */
  extra: Record<string, unknown>;
}

export function emptyImage(): ImageForm {
  return { version: '1.0.0', osDisk: '', dataDisks: [] };
}

export function emptyPlan(): PlanForm {
  return {
    id: '',
    title: '',
    summary: '',
    description: '',
    os: { family: 'linux', type: '', name: '' },
    regions: [],
    recommendedSizes: [],
    openPorts: [],
    pricing: { model: 'free', hourlyUsd: '' },
    images: [emptyImage()],
  };
}

/** A new offer: everything blank except sensible defaults (leads kept in the marketplace, one plan). */
export function emptyForm(publisherId: string): EditorForm {
  return {
    id: '',
    publisher: publisherId,
    listing: {
      title: '',
      summary: '',
      description: '',
      categories: [],
      keywords: [],
      privacyUrl: '',
      termsOfUse: '',
      support: { name: '', email: '', phone: '', url: '' },
      engineering: { name: '', email: '', phone: '' },
    },
    previewAudience: [],
    leads: { destination: 'table', httpsUrl: '', emailTo: [] },
    testDrive: { present: false, enabled: false, regions: [], hotInstances: '0', durationHours: '2', userManualUrl: '' },
    plans: [emptyPlan()],
    extra: {},
  };
}

type Json = Record<string, unknown>;

const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(str) : []);
const rows = (value: unknown): Json[] => (Array.isArray(value) ? value.map(obj) : []);

const KNOWN_KEYS = new Set(['id', 'publisher', 'listing', 'previewAudience', 'leads', 'testDrive', 'plans']);

/** The form for a stored draft; missing parts come out blank, unknown top-level keys are kept. */
export function formFromDocument(doc: Json, publisherId: string): EditorForm {
  const listing = obj(doc.listing);
  const support = obj(listing.support);
  const engineering = obj(listing.engineering);
  const leads = obj(doc.leads);
  const testDrive = doc.testDrive === undefined ? undefined : obj(doc.testDrive);
  const blank = emptyForm(publisherId);
  return {
    id: str(doc.id),
    publisher: str(doc.publisher) || publisherId,
    listing: {
      title: str(listing.title),
      summary: str(listing.summary),
      description: str(listing.description),
      categories: strings(listing.categories),
      keywords: strings(listing.keywords),
      privacyUrl: str(listing.privacyUrl),
      termsOfUse: str(listing.termsOfUse),
      support: { name: str(support.name), email: str(support.email), phone: str(support.phone), url: str(support.url) },
      engineering: { name: str(engineering.name), email: str(engineering.email), phone: str(engineering.phone) },
    },
    previewAudience: strings(doc.previewAudience),
    leads: {
      destination: str(leads.destination) || 'table',
      httpsUrl: str(obj(leads.https).url),
      emailTo: strings(obj(leads.email).to),
    },
    testDrive: testDrive
      ? {
          present: true,
          enabled: testDrive.enabled === true,
          regions: strings(testDrive.regions),
          hotInstances: testDrive.hotInstances === undefined ? blank.testDrive.hotInstances : str(testDrive.hotInstances),
          durationHours: testDrive.durationHours === undefined ? blank.testDrive.durationHours : str(testDrive.durationHours),
          userManualUrl: str(testDrive.userManualUrl),
        }
      : blank.testDrive,
    plans: rows(doc.plans).map((plan) => {
      const os = obj(plan.os);
      const pricing = obj(plan.pricing);
      return {
        id: str(plan.id),
        title: str(plan.title),
        summary: str(plan.summary),
        description: str(plan.description),
        os: { family: str(os.family) || 'linux', type: str(os.type), name: str(os.name) },
        regions: strings(plan.regions),
        recommendedSizes: strings(plan.recommendedSizes),
        openPorts: rows(plan.openPorts).map((p) => ({ protocol: str(p.protocol) || 'tcp', port: str(p.port) })),
        pricing: { model: str(pricing.model) || 'free', hourlyUsd: str(pricing.hourlyUsd) },
        images: rows(plan.images).map((image) => ({
          version: str(image.version),
          osDisk: str(image.osDisk),
          ...(image.osDiskFormat !== undefined ? { osDiskFormat: str(image.osDiskFormat) } : {}),
          dataDisks: rows(image.dataDisks).map((d) => ({ lun: str(d.lun), source: str(d.source), ...(d.format !== undefined ? { format: str(d.format) } : {}) })),
        })),
      };
    }),
    extra: Object.fromEntries(Object.entries(doc).filter(([key]) => !KNOWN_KEYS.has(key))),
  };
}

/**
 * A typed number as a number; '' as absent; anything else unchanged, so the server names the
 * problem ("expected number") at the field instead of the editor guessing.
 */
export function numberOrText(text: string): number | string | undefined {
  // a decimal comma ("0,12", as typed in German) is read as a point
  const trimmed = text.trim().replace(/^([-+]?\d+),(\d+)$/, '$1.$2');
  if (trimmed === '') return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Optional strings are left out when blank; required ones are sent blank for the server to name. */
function optional(target: Json, key: string, value: string): void {
  if (value.trim() !== '') target[key] = value;
}

function numberField(target: Json, key: string, text: string): void {
  const value = numberOrText(text);
  if (value !== undefined) target[key] = value;
}

/** `target` with `key` set by numberField: for the items built from one field and one number (ports, data disks). */
function withNumber(target: Json, key: string, text: string): Json {
  numberField(target, key, text);
  return target;
}

export function documentFromForm(form: EditorForm): Json {
  const { listing } = form;
  const support: Json = { name: listing.support.name, email: listing.support.email };
  optional(support, 'phone', listing.support.phone);
  optional(support, 'url', listing.support.url);
  const engineering: Json = { name: listing.engineering.name, email: listing.engineering.email };
  optional(engineering, 'phone', listing.engineering.phone);

  const leads: Json = { destination: form.leads.destination };
  // no secret here: the marketplace generates it (LeadSecretPanel)
  if (form.leads.destination === 'https') leads.https = { url: form.leads.httpsUrl };
  if (form.leads.destination === 'email') leads.email = { to: form.leads.emailTo };

  const doc: Json = {
    ...form.extra,
    id: form.id,
    publisher: form.publisher,
    listing: {
      title: listing.title,
      summary: listing.summary,
      description: listing.description,
      categories: listing.categories,
      keywords: listing.keywords,
      privacyUrl: listing.privacyUrl,
      termsOfUse: listing.termsOfUse,
      support,
      engineering,
    },
    previewAudience: form.previewAudience,
    leads,
    plans: form.plans.map((plan) => {
      const pricing: Json = { model: plan.pricing.model };
      if (plan.pricing.model === 'hourly') numberField(pricing, 'hourlyUsd', plan.pricing.hourlyUsd);
      return {
        id: plan.id,
        title: plan.title,
        summary: plan.summary,
        description: plan.description,
        os: { ...plan.os },
        regions: plan.regions,
        recommendedSizes: plan.recommendedSizes,
        openPorts: plan.openPorts.map((p) => withNumber({ protocol: p.protocol }, 'port', p.port)),
        pricing,
        images: plan.images.map((image) => ({
          version: image.version,
          osDisk: image.osDisk,
          ...(image.osDiskFormat ? { osDiskFormat: image.osDiskFormat } : {}),
          dataDisks: image.dataDisks.map((d) => withNumber({ source: d.source, ...(d.format ? { format: d.format } : {}) }, 'lun', d.lun)),
        })),
      };
    }),
  };
  // the test drive is optional in the offer file: written when it was there or is switched on
  if (form.testDrive.present || form.testDrive.enabled) {
    const td = form.testDrive;
    const testDrive: Json = { enabled: td.enabled, regions: td.regions };
    numberField(testDrive, 'hotInstances', td.hotInstances);
    numberField(testDrive, 'durationHours', td.durationHours);
    optional(testDrive, 'userManualUrl', td.userManualUrl);
    doc.testDrive = testDrive;
  }
  return doc;
}

/** "a, b\nc" → ["a", "b", "c"]: how list fields (keywords, sizes, addresses) are typed. */
export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
