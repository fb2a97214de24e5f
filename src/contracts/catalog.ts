/**
 * The public catalogue (docs/contracts.md §5, §7): offer summaries, one offer's listing with its
 * plans, the signed package acquire answers, the signing keys.
 */
import { z } from 'zod';
import { deprecationSchema } from './lifecycle.ts';

export const SLOT_NAMES = ['live', 'preview'] as const;
export const servedSlotSchema = z.enum(SLOT_NAMES);
/** Which published slot a subscription is served. */
export type SlotName = z.infer<typeof servedSlotSchema>;

export const PRICING_MODELS = ['free', 'byol', 'hourly'] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];
/**
 * The plan's pricing as the offer file has it. Loose, and `model` optional: a published snapshot
 * is served as it was stored, and the offer file's own schema is where pricing is enforced.
 */
export const pricingSchema = z
  .looseObject({ model: z.enum(PRICING_MODELS).optional(), hourlyUsd: z.number().optional().describe('With model hourly.') })
  .describe('{model: free | byol | hourly, hourlyUsd?}');
export type Pricing = z.infer<typeof pricingSchema>;

export const catalogPlanSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  pricing: pricingSchema,
  deprecation: deprecationSchema.nullable().describe('The plan\'s (or else the offer\'s) deprecation.'),
  sold: z.boolean().describe('false: no longer sold (stopped, or deprecated and the day came); acquire refuses.'),
});
export type CatalogPlanSummary = z.infer<typeof catalogPlanSummarySchema>;

/** One entry of `GET /catalog/offers`. */
export const catalogOfferSummarySchema = z
  .object({
    id: z.string().describe('publisher.offer'),
    publisher: z.string(),
    offerId: z.string(),
    title: z.string(),
    summary: z.string(),
    categories: z.array(z.string()),
    keywords: z.array(z.string()),
    preview: z.boolean().describe('true: the preview shown to the caller\'s subscription, not the live version.'),
    publishedAt: z.string(),
    deprecation: deprecationSchema.nullable().describe('The whole offer is deprecated from this day.'),
    sold: z.boolean().describe('false: the offer is no longer sold (stopped, or deprecated and the day came).'),
    plans: z.array(catalogPlanSummarySchema),
  })
  .meta({ id: 'CatalogOfferSummary' });
export type CatalogOfferSummary = z.infer<typeof catalogOfferSummarySchema>;

export const osSchema = z.object({ family: z.string().optional(), type: z.string().optional(), name: z.string().optional() });
export const openPortSchema = z.object({ protocol: z.string(), port: z.number() });

export const catalogPlanSchema = catalogPlanSummarySchema.extend({
  description: z.string(),
  os: osSchema,
  regions: z.array(z.string()),
  recommendedSizes: z.array(z.string()),
  openPorts: z.array(openPortSchema),
  version: z.string().describe('The image version an acquisition receives.'),
});
export type CatalogPlan = z.infer<typeof catalogPlanSchema>;

/** `GET /catalog/offers/{pub}.{offer}`: the public listing of one offer. */
export const catalogOfferSchema = catalogOfferSummarySchema
  .omit({ plans: true })
  .extend({
    description: z.string(),
    privacyUrl: z.string().nullable(),
    termsOfUse: z.string().nullable(),
    support: z.object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional(), url: z.string().optional() }),
    testDrive: z
      .object({
        enabled: z.boolean(),
        durationHours: z.number().optional(),
        userManualUrl: z.string().optional(),
        hosted: z.boolean().optional().describe('This marketplace hosts test drives (config testDrives.enabled): a customer can start one here.'),
      })
      .nullable(),
    plans: z.array(catalogPlanSchema),
  })
  .meta({ id: 'CatalogOffer' });
export type CatalogOffer = z.infer<typeof catalogOfferSchema>;

export const IMAGE_ROLES = ['os', 'data'] as const;
export const imageRoleSchema = z.enum(IMAGE_ROLES);
export type ImageRole = z.infer<typeof imageRoleSchema>;

/**
 * The disk format a region serves (`regions[].format` in the server configuration): `source`
 * serves the certified file as the publisher supplied it, any other is made from it once with
 * qemu-img (`vmdk` is streamOptimized, `vhd-fixed` a fixed VHD).
 */
export const DELIVERY_FORMATS = ['source', 'raw', 'qcow2', 'vmdk', 'vhd-fixed', 'vhdx'] as const;
export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];
/** A format provisioning converts into. */
export type DeliveryTarget = Exclude<DeliveryFormat, 'source'>;

export const packageCopySchema = z.object({
  location: z.string().describe('vmarket-fs://region/key or s3://bucket/key of the file.'),
  format: z.string().describe('The file\'s disk format: raw | qcow2 | vmdk | vhd-fixed | vhdx, or the source\'s own format.'),
  sha256: z.string().describe('SHA-256 of the stored file (differs between formats).'),
  size: z.number().describe('Size of the stored file in bytes.'),
  virtualSha256: z.string().optional().describe('SHA-256 of the virtual disk the file holds: the same in every format (absent only in packages older than delivery formats).'),
});
export type PackageCopy = z.infer<typeof packageCopySchema>;

export const packageImageSchema = z.looseObject({
  role: imageRoleSchema,
  lun: z.number().nullable(),
  sha256: z.string().describe('SHA-256 of the image file as the publisher supplied it.'),
  size: z.number(),
  format: z.string().optional().describe('The disk format of the file as supplied (certification read it).'),
  virtualSha256: z.string().optional().describe('SHA-256 of the virtual disk (the bytes a VM sees), the same for every copy whatever its format.'),
  sbom: z
    .looseObject({ sha256: z.string(), components: z.number(), format: z.string() })
    .optional()
    .describe("The OS disk's CycloneDX SBOM: SHA-256 of its bytes as GET …/certification/sbom serves them, its component count, its format (CycloneDX 1.6)."),
  locations: z.record(z.string(), z.string()).describe('region → vmarket-fs://region/key (file-system regions) or s3://bucket/key URI of a copy holding exactly those bytes; only regions serving the source format.'),
  copies: z
    .record(z.string(), packageCopySchema)
    .optional()
    .describe('region → the file that region serves, in the format it serves (regions[].format); every region of the package.'),
});
export type PackageImage = z.infer<typeof packageImageSchema>;

/**
 * What a customer's tooling needs to create the VM (a loose object in the answer). A type, not an
 * interface, so it fits the loose schema's index signature.
 */
export type DeploymentTemplate = {
  kind: 'vmarket.vm/v1';
  os: { family?: string; type?: string; name?: string };
  recommendedSizes: string[];
  openPorts: { protocol: string; port: number }[];
  disks: { role: ImageRole; lun: number | null; sha256: string; sizeBytes: number; source: 'image' }[];
  parameters: Record<string, { type: string; description: string }>;
};

export const packageSchema = z
  .looseObject({
    offer: z.string().describe('publisher.offer'),
    plan: z.string(),
    version: z.string(),
    images: z.array(packageImageSchema),
    template: z.looseObject({}).describe('The deployment template (kind vmarket.vm/v1).'),
  })
  .meta({ id: 'Package' });
/** The package as signed: the template typed as the server builds it. */
export type PlanPackage = z.infer<typeof packageSchema> & { template: DeploymentTemplate };

/** A package with its signature, as a slot stores it per plan. */
export interface SignedPackage {
  package: PlanPackage;
  signature: string;
  keyId: string;
}

/** One file a customer may download: an image of the package in one region (docs/contracts.md §5 "Downloads"). */
export const downloadLinkSchema = z
  .object({
    role: imageRoleSchema,
    lun: z.number().nullable(),
    region: z.string(),
    format: z.string().describe('The file\'s disk format (the copy the region serves).'),
    sha256: z.string().describe('SHA-256 of the file: the package\'s copy entry for the region, and the download\'s ETag.'),
    size: z.number(),
    url: z.string().describe('A signed link on this server (file-system region) or a presigned S3 GET URL (S3 region).'),
    expiresAt: z.string(),
  })
  .meta({ id: 'DownloadLink' });
export type DownloadLink = z.infer<typeof downloadLinkSchema>;

/** `POST /catalog/offers/{pub}.{offer}/acquire`: the signed package of the plan, the acquisition and its download links. */
export const acquiredPackageSchema = z
  .object({
    package: packageSchema,
    signature: z.string().describe('base64 Ed25519 over the RFC 8785 canonical JSON of `package` (docs/contracts.md §7).'),
    keyId: z.string().describe('The key in /catalog/keys that verifies the signature.'),
    leadId: z.string(),
    slot: servedSlotSchema,
    acquisition: z.object({
      id: z.string(),
      token: z.string().describe('Send as X-Acquisition-Token to GET /catalog/acquisitions/{id}; shown only in this answer.'),
      expiresAt: z.string().describe('When the download links of this answer expire.'),
      mirrorUrl: z.string().describe('The root of a simplestreams mirror of this acquisition (its version, its plan): streams/v1/index.sjson under it lists the items and its item paths serve them; expires with the links.'),
    }),
    downloads: z.array(downloadLinkSchema),
  })
  .meta({ id: 'AcquiredPackage' });

/** `GET /catalog/acquisitions/{id}`: what was acquired (that version, even after a newer went live) with fresh links. */
export const acquisitionSchema = z
  .object({
    acquisition: z.object({
      id: z.string(),
      offer: z.string().describe('publisher.offer'),
      plan: z.string(),
      version: z.string().describe('The version acquired (the package\'s version).'),
      operationId: z.string(),
      slot: servedSlotSchema,
      createdAt: z.string(),
      expiresAt: z.string().describe('When the download links of this answer expire.'),
      mirrorUrl: z.string().describe('The root of a simplestreams mirror of this acquisition (its version, its plan): streams/v1/index.sjson under it lists the items and its item paths serve them; expires with the links.'),
    }),
    package: packageSchema,
    signature: z.string(),
    keyId: z.string(),
    downloads: z.array(downloadLinkSchema),
  })
  .meta({ id: 'Acquisition' });
export type AcquisitionView = z.infer<typeof acquisitionSchema>;

/** `GET /publishers/{pub}/offers/{offer}/downloads`: downloads per plan, region and customer. */
export const downloadCountsSchema = z
  .object({
    totals: z.object({ acquisitions: z.number(), downloads: z.number(), bytes: z.number() }),
    counts: z.array(
      z.object({
        plan: z.string(),
        region: z.string(),
        subscriptionId: z.string(),
        downloads: z.number().describe('Downloads started (a GET from byte 0 or of the whole file; for S3 regions, presigned URLs issued).'),
        bytes: z.number().describe('Bytes served (for S3 regions, the file\'s size per URL issued).'),
        lastAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'DownloadCounts' });
export type DownloadCounts = z.infer<typeof downloadCountsSchema>;
export type AcquiredPackage = z.infer<typeof acquiredPackageSchema>;

export const publicKeySchema = z.object({ keyId: z.string(), publicKeyPem: z.string() });
export type PublicKeyEntry = z.infer<typeof publicKeySchema>;

/** `GET /catalog/keys`. */
/** The OpenPGP key signing the simplestreams `.sjson` documents (gpg/gpgv check them with it). */
export const streamsKeySchema = z.object({
  fingerprint: z.string().describe('OpenPGP v4 fingerprint, 40 hex digits.'),
  url: z.string().describe('Where the armored key is served: <publicUrl>/streams/v1/signing-key.asc.'),
  publicKeyArmored: z.string(),
});

export const signingKeysSchema = z
  .object({ keys: z.array(publicKeySchema), simplestreams: streamsKeySchema.optional().describe('The key of the simplestreams mirror (not a package key).') })
  .meta({ id: 'SigningKeys' });
export type SigningKeys = z.infer<typeof signingKeysSchema>;
