/**
 * The server configuration (docs/contracts.md §3) as one zod schema. Every key is optional; the
 * defaults here are the embedded default that `vmarket serve` runs with no file at all.
 * Relative paths are resolved against the config file's directory (or the working directory
 * when there is no file) by `loadConfig`, never here.
 */
import { z } from 'zod';
import { DISK_FORMATS } from '../contracts/certification.ts';
import { DELIVERY_FORMATS } from '../contracts/catalog.ts';

const regionName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'a region name is 1..50 of [a-z0-9-]');

export const fsStorageSchema = z.object({
  type: z.literal('fs'),
  /** Directory holding the region's objects. */
  path: z.string().min(1),
});

export const s3StorageSchema = z.object({
  type: z.literal('s3'),
  endpoint: z.string().url().optional(),
  bucket: z.string().min(3),
  region: z.string().default('us-east-1'),
  forcePathStyle: z.boolean().default(false),
  /** Object key prefix inside the bucket. Default: none. */
  prefix: z.string().default(''),
  /** Credentials; default: the AWS SDK's default chain (environment, profile). */
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
});

export const storageSchema = z.discriminatedUnion('type', [fsStorageSchema, s3StorageSchema]);

export const regionSchema = z.object({
  name: regionName,
  /** Shown in the storefront. Default: the name. */
  displayName: z.string().optional(),
  storage: storageSchema,
  /** Replication bandwidth limit for copies into this region; 0 = unlimited. */
  bandwidthBytesPerSecond: z.number().int().min(0).default(0),
  /**
   * The disk format this region serves: `source` (the certified file as supplied) or one that
   * provisioning converts to with qemu-img (docs/contracts.md §3).
   */
  format: z.enum(DELIVERY_FORMATS).default('source'),
});

const stepOverrideSchema = z.object({ expectedMaxSeconds: z.number().positive().optional() });

export const supportedOsSchema = z.object({
  id: z.string().min(1),
  versions: z.array(z.string().min(1)).min(1),
});

export const clamavSchema = z.object({
  /** auto: use ClamAV when a database is found; off: never; required: fail when unavailable. */
  mode: z.enum(['auto', 'off', 'required']).default('auto'),
  databaseDir: z.string().default('/var/lib/clamav'),
  /** A clamd socket (unix path or host:port); when set, INSTREAM is used instead of clamscan. */
  clamdSocket: z.string().optional(),
});

/**
 * The child process each certification runs in (src/certification/sandbox/): a hostile image can
 * at worst fail its own certification. Defaults certify a 1 GiB image (seconds) with a wide margin.
 */
export const certificationSandboxSchema = z.object({
  /** Wall-clock limit of one certification, in seconds; past it the report fails `image.certification-time`. Default 1800. */
  timeLimitSeconds: z.number().positive().default(1800),
  /** V8 heap limit of the certification process (`--max-old-space-size`), in MiB. Default 2048. */
  memoryLimitMiB: z.number().int().min(16).default(2048),
});
export type CertificationSandboxConfig = z.infer<typeof certificationSandboxSchema>;

/**
 * How much an untrusted image may make the engine read (issue 9). The defaults never trip on a
 * real distribution image; a crafted one ends in a failed `image.readable` check instead of a
 * certification that runs for days.
 */
export const certificationLimitsSchema = z.object({
  /** Most bytes of one file's mapped data the scan reads; a larger file fails `image.readable`. Default 64 GiB. */
  fileBytes: z.number().int().positive().default(64 * 1024 ** 3),
  /** Most zeros one file's holes are streamed as; beyond it a file is read as its mapped data only. Default 16 MiB. */
  holeBytes: z.number().int().min(0).default(16 * 1024 ** 2),
  /** The scan reads at most this factor times an image file's allocated size (plus imageSlackBytes) from its files. Default 2. */
  imageReadFactor: z.number().positive().default(2),
  /** Added to every image's read budget, so tiny images with sparse files still pass. Default 1 GiB. */
  imageSlackBytes: z.number().int().min(0).default(1024 ** 3),
  /** Largest RPM database file read from the guest (SQLite and its WAL, BerkeleyDB `Packages`, ndb `Packages.db`). Default 256 MiB. */
  rpmDbBytes: z.number().int().positive().default(256 * 1024 ** 2),
  /** Most package headers (SQLite rows, BerkeleyDB records, ndb slots) read from an RPM database. Default 100,000. */
  rpmRows: z.number().int().positive().default(100_000),
  /** Most file records read from one package database (dpkg `info/*.list`, rpm headers), all packages together (a large RHEL install lists ~300,000). Default 5,000,000. */
  packageFiles: z.number().int().positive().default(5_000_000),
});
export type CertificationLimits = z.infer<typeof certificationLimitsSchema>;
export const DEFAULT_CERTIFICATION_LIMITS: CertificationLimits = certificationLimitsSchema.parse({});

export const CERTIFICATION_PROFILES = ['standard', 'azure'] as const;
export type CertificationProfile = (typeof CERTIFICATION_PROFILES)[number];

/**
 * `packages.vulnerabilities` (docs/contracts.md §3, §6): the severity at which a vulnerability
 * that has a fix fails certification (default high: critical and high fail; everything else, and
 * anything without a fix, warns), and the age past which the database itself warns (default 7
 * days: OSV's archives change daily, a week-old copy misses a week of fixes).
 */
export const vulnerabilityPolicySchema = z.object({
  failAt: z.enum(['critical', 'high', 'medium', 'low']).default('high'),
  maxDatabaseAgeDays: z.number().positive().default(7),
  /** The database (`vmarket vulndb sync`); default `<dataDir>/vulndb`, filled in by the server and `vmarket certify`. */
  directory: z.string().min(1).optional(),
});
export type VulnerabilityPolicy = z.infer<typeof vulnerabilityPolicySchema>;

export const certificationConfigSchema = z.object({
  /** A passed report waits for an operator's approval. Default false. */
  manualReview: z.boolean().default(false),
  /** Replaces the default supported OS list (docs/contracts.md §6) when given. */
  supportedOs: z.array(supportedOsSchema).optional(),
  yaraRules: z.array(z.string()).default([]),
  hashLists: z.array(z.string()).default([]),
  clamav: clamavSchema.default({ mode: 'auto', databaseDir: '/var/lib/clamav' }),
  sandbox: certificationSandboxSchema.default({ timeLimitSeconds: 1800, memoryLimitMiB: 2048 }),
  limits: certificationLimitsSchema.default(DEFAULT_CERTIFICATION_LIMITS),
  /**
   * The rules `image.format` and `image.size` apply. `standard` (default): any format of
   * `acceptedFormats`, virtual sizes of whole 512-byte sectors. `azure`: Azure's own rules, a
   * fixed VHD of a whole number of MiB between 20 MiB and 1023 GiB.
   */
  profile: z.enum(CERTIFICATION_PROFILES).default('standard'),
  /** The input formats `image.format` passes. Default: every format vmarket reads (the `azure` profile: vhd-fixed). */
  acceptedFormats: z.array(z.enum(DISK_FORMATS)).min(1).optional(),
  /**
   * Boot validation (src/boot/): the image is started under QEMU and must reach user space,
   * finish cloud-init and accept an SSH login (checks `boot.*`). `required`: certification fails
   * when QEMU is missing; `optional` (default): it boots when QEMU is installed, else the checks
   * are `skipped` with the reason; `off`: never (the test-drive step's boot then too).
   */
  boot: z.enum(['required', 'optional', 'off']).default('optional'),
  vulnerabilities: vulnerabilityPolicySchema.prefault({}),
});
export type CertificationConfig = z.infer<typeof certificationConfigSchema>;

/** How VMs are started (src/boot/): certification boots and the customers' test drives. */
export const bootSchema = z.object({
  /** `auto` (default): KVM when /dev/kvm can be opened, software emulation otherwise. */
  accelerator: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  /** Memory of one VM in MiB (QEMU's -m): the per-boot memory limit. Default 1024. */
  memoryMiB: z.number().int().min(128).max(65536).default(1024),
  /** Virtual CPUs of one VM. Default 2. */
  cpus: z.number().int().min(1).max(64).default(2),
  /** Longest a certification boot may take until SSH answered, in seconds. Default 300. */
  timeoutSeconds: z.number().positive().default(300),
  /** qemu-system-x86_64 (Debian qemu-system-x86); default looked up on PATH. */
  qemuX86_64: z.string().min(1).optional(),
  /** qemu-system-aarch64 (Debian qemu-system-arm); default looked up on PATH. */
  qemuAarch64: z.string().min(1).optional(),
  /** UEFI firmware for x86_64 (Debian ovmf). Default /usr/share/OVMF/OVMF_CODE.fd, then /usr/share/ovmf/OVMF.fd. */
  ovmfCode: z.string().min(1).optional(),
  /** UEFI firmware for aarch64 (Debian qemu-efi-aarch64). Default /usr/share/AAVMF/AAVMF_CODE.fd. */
  aavmfCode: z.string().min(1).optional(),
});
export type BootConfig = z.infer<typeof bootSchema>;

/** Customers' test drives (src/test-drives/): VMs booted from live images for the offers that enable one. */
export const testDrivesSchema = z.object({
  /** Host test drives on this marketplace. Default false. */
  enabled: z.boolean().default(false),
  /** Test-drive VMs running at once on this marketplace, hot instances included. Default 4. */
  maxRunning: z.number().int().min(1).default(4),
  /** Test drives one customer may have running at once. Default 1. */
  maxPerCustomer: z.number().int().min(1).default(1),
  /** Test drives one customer may start in 24 hours. Default 5. */
  startsPerCustomerPerDay: z.number().int().min(1).default(5),
  /** The account the seed creates in a test-drive VM, with the customer's generated key. Default `testdrive`. */
  loginUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/).default('testdrive'),
  /**
   * Also give the account a generated password, shown to the customer: the browser's serial
   * console needs one to log in (the key serves SSH). Default true.
   */
  password: z.boolean().default(true),
});
export type TestDrivesConfig = z.infer<typeof testDrivesSchema>;

export const smtpSchema = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  /** Accept self-signed certificates (tests, internal relays). Default false. */
  allowSelfSigned: z.boolean().default(false),
  user: z.string().optional(),
  /** Name of the environment variable holding the SMTP password (never the password itself). */
  passwordEnv: z.string().optional(),
  from: z.string().default('vmarket <vmarket@localhost>'),
});

export const webhookSchema = z.object({
  url: z.string().url(),
  /** Name of the environment variable holding the HMAC key for `X-Vmarket-Signature`. */
  secretEnv: z.string().optional(),
  /** Event names to send; default all. */
  events: z.array(z.string()).optional(),
});

/** 64 GiB: larger than any VM image a marketplace should carry, small enough to stop an endless answer. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 ** 3;

export const importsSchema = z.object({
  /**
   * Import roots: publisher P may import only files under `<dir>/P/` of each entry (unless
   * `publisherDirs` names P's directories).
   */
  allowedDirs: z.array(z.string()).default(['./images']),
  /** Explicit import directories of a publisher (publisher id -> dirs), replacing `<allowedDirs>/<publisher>/`. */
  publisherDirs: z.record(z.string(), z.array(z.string())).default({}),
  /**
   * https URL prefixes image sources may use: same origin, path under the prefix's path on a
   * segment boundary (checked at load, src/security/url-prefix.ts).
   */
  allowedUrlPrefixes: z.array(z.string()).default([]),
  /** Allow image URLs (and their redirects) on loopback, link-local and private addresses. Default false. */
  allowPrivateNetworks: z.boolean().optional(),
  /** Largest image download in bytes (Content-Length and bytes read). Default 64 GiB. */
  maxDownloadBytes: z.number().int().positive().default(DEFAULT_MAX_DOWNLOAD_BYTES),
  /** Longest an image download may take, in seconds. Default 6 hours. */
  downloadTimeoutSeconds: z.number().positive().default(6 * 3600),
  /** Longest an image download may receive nothing, in seconds. Default 60. */
  downloadStallSeconds: z.number().positive().default(60),
});

export const configSchema = z.object({
  dataDir: z.string().default('./data'),
  /** `embedded` (PGlite under dataDir) or a postgres:// URL. */
  database: z.string().default('embedded'),
  listen: z
    .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8080) })
    .default({ host: '127.0.0.1', port: 8080 }),
  /** Public base URL used in links (storefront, preview and live links). Default: from listen. */
  publicUrl: z.string().url().optional(),
  /** The simplestreams mirror at /streams/v1 (issue 13). */
  simplestreams: z
    .object({
      /** Reverse-domain start of content ids and product names; default publicUrl's host reversed. */
      prefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]*$/, 'lower-case letters, digits, dots and hyphens, e.g. com.example.market')
        .max(100)
        .optional(),
    })
    .default({}),
  workers: z.boolean().default(true),
  // prefault: a missing `imports` is parsed as `{}`, so its defaults are written once, above
  imports: importsSchema.prefault({}),
  /** Outbound deliveries the operator configures or publishers aim: lead destinations and webhooks. */
  deliveries: z
    .object({
      /** Allow lead and webhook deliveries to loopback, link-local and private addresses. Default false. */
      allowPrivateNetworks: z.boolean().optional(),
    })
    .default({}),
  /**
   * Legacy switch (before imports.allowPrivateNetworks and deliveries.allowPrivateNetworks):
   * sets both split keys that are not given themselves; the server warns at startup when it is used.
   */
  allowPrivateNetworks: z.boolean().optional(),
  /** Extra CA certificates (PEM files) trusted for outbound HTTPS, e.g. an internal CA. */
  trustedCaFiles: z.array(z.string()).default([]),
  /** Default: two file-system regions, westeurope and eastus, under dataDir/regions. */
  regions: z.array(regionSchema).optional(),
  /** Disk conversion for regions serving another format than the source's. */
  conversion: z
    .object({
      /** The qemu-img program (Debian qemu-utils); default `qemu-img` looked up on PATH. */
      qemuImg: z.string().min(1).optional(),
    })
    .default({}),
  /** The store provisioning copies into; default: fs under dataDir/primary. */
  primaryStore: storageSchema.optional(),
  /** Per-step overrides by step id; an id the pipeline does not have is refused when the server starts (pipeline.ts). */
  steps: z.record(z.string(), stepOverrideSchema).default({}),
  /** Categories an offer may use; default: the built-in list. */
  categories: z.array(z.string()).optional(),
  certification: certificationConfigSchema.default({
    manualReview: false,
    yaraRules: [],
    hashLists: [],
    clamav: { mode: 'auto', databaseDir: '/var/lib/clamav' },
    sandbox: { timeLimitSeconds: 1800, memoryLimitMiB: 2048 },
    limits: DEFAULT_CERTIFICATION_LIMITS,
    profile: 'standard',
    boot: 'optional',
    vulnerabilities: { failAt: 'high', maxDatabaseAgeDays: 7 },
  }),
  boot: bootSchema.prefault({}),
  testDrives: testDrivesSchema.prefault({}),
  /** Entitled downloads (docs/contracts.md §5 "Downloads"): the links acquire answers. */
  downloads: z
    .object({
      /**
       * How long a download link stays valid, in seconds (a signed link on this server, a presigned
       * S3 URL): fresh ones come from `GET /catalog/acquisitions/{id}`. Default 3600; at most 7 days (S3's limit).
       */
      urlTtlSeconds: z.number().int().min(1).max(7 * 24 * 3600).default(3600),
    })
    .default({ urlTtlSeconds: 3600 }),
  smtp: smtpSchema.optional(),
  /**
   * The key that encrypts the secrets the marketplace keeps (each offer's lead signing secret):
   * a file holding 32 bytes as base64 or hex. `VMARKET_SECRET_KEY` wins over it; without either
   * the key is generated at first start as dataDir/secret-key (mode 0600).
   */
  secrets: z.object({ keyFile: z.string().optional() }).default({}),
  webhooks: z.array(webhookSchema).default([]),
  /**
   * Storage garbage collection (`vmarket gc`, src/lifecycle/gc.ts): an object nothing references
   * is removed only once it is older than `graceHours` (by its write time), so a copy a
   * publication is making right now is never taken. Default 24.
   */
  gc: z.object({ graceHours: z.number().min(0).default(24) }).default({ graceHours: 24 }),
  /** How often the stuck-step sweeper runs, in seconds. Default 30. */
  sweepIntervalSeconds: z.number().positive().default(30),
  /** Request body limit for the API in bytes. Default 1 MiB. */
  bodyLimitBytes: z.number().int().positive().default(1024 * 1024),
  /** Requests per minute per client for the API. Default 600. */
  rateLimitPerMinute: z.number().int().positive().default(600),
  /**
   * The HTTP server's timeouts, in milliseconds (0 turns one off). `requestTimeoutMs` bounds how
   * long a request may take to arrive in full (headers and body): a client that sends slowly
   * (slowloris) is cut. The status streams are exempt by design: their request arrives at once and
   * the answer is what lasts. `keepAliveTimeoutMs` is how long an idle kept-alive connection stays.
   */
  http: z
    .object({
      requestTimeoutMs: z.number().int().min(0).default(30_000),
      connectionTimeoutMs: z.number().int().min(0).default(0),
      keepAliveTimeoutMs: z.number().int().min(1).default(5_000),
    })
    .default({ requestTimeoutMs: 30_000, connectionTimeoutMs: 0, keepAliveTimeoutMs: 5_000 }),
  /**
   * The reverse proxies in front of the server, as Fastify's `trustProxy` takes them: false (the
   * default: the socket's address is the client's, and `X-Forwarded-For` is ignored), true (trust
   * every hop — only when nothing else can reach the server), a hop count, or a list of proxy
   * addresses and CIDRs. Rate limits and logs key on the client address it gives.
   */
  trustProxy: z.union([z.boolean(), z.number().int().min(1), z.array(z.string().min(1)).min(1)]).default(false),
  /** Who may read `/metrics`: `operator` (the default: the operator token) or `public` (no token). */
  metrics: z.object({ access: z.enum(['operator', 'public']).default('operator') }).default({ access: 'operator' }),
  /**
   * Bounds on the work one publisher or one client can cause. The refusals name the key to raise.
   */
  limits: z
    .object({
      /** Status streams open at once with one token. */
      streamsPerToken: z.number().int().positive().default(10),
      /** Status streams open at once on one offer (all tokens together). */
      streamsPerOffer: z.number().int().positive().default(50),
      /** Offers one publisher may have. */
      offersPerPublisher: z.number().int().positive().default(500),
      /** Anonymous acquires a minute for one subscription id. */
      acquiresPerSubscriptionPerMinute: z.number().int().positive().default(20),
      /** Anonymous acquires a minute from one client address. */
      acquiresPerAddressPerMinute: z.number().int().positive().default(60),
    })
    .default({ streamsPerToken: 10, streamsPerOffer: 50, offersPerPublisher: 500, acquiresPerSubscriptionPerMinute: 20, acquiresPerAddressPerMinute: 60 }),
  /**
   * Concurrency of the I/O-bound replication queue, the CPU-bound certification queue, and the
   * VMs one process boots at once (certification and test-drive step boots; test drives are
   * bounded by testDrives.maxRunning).
   */
  concurrency: z
    .object({
      pipeline: z.number().int().positive().default(4),
      certify: z.number().int().positive().default(1),
      boot: z.number().int().positive().default(1),
    })
    .default({ pipeline: 4, certify: 1, boot: 1 }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.infer<typeof configSchema>;
export type RegionConfig = z.infer<typeof regionSchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
