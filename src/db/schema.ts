/**
 * The tables of vmarket's system of record, as Kysely types. One schema for both modes (PGlite
 * embedded, PostgreSQL scaled out); the migrations in `migrations/` create exactly these.
 * JSON columns hold documents whose shapes live with their modules (offer snapshots in
 * `offers/`, reports in `certification/`, packages in `catalog/`). Status-like columns are typed
 * with the contract's enums (src/contracts/), so a status written or compared is checked.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type {
  AuditActorKind,
  AuditOutcome,
  LeadDeliveryStatus,
  LeadKind,
  OperationStatus,
  ReportResult,
  ReviewStatus,
  StepStatus,
  TicketSource,
  TestDriveEndReason,
  TestDriveStatus,
  TicketStatus,
  TransitionStatus,
} from '../contracts/index.ts';
import type { Translations } from '../i18n/localized.ts';
import type { StepMessage } from '../pipeline/types.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills by default (optional on insert). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;
export interface PublishersTable {
  id: string;
  name: string;
  /** SHA-256 (hex) of the bearer token; the token itself is shown once and never stored. */
  token_hash: string;
  created_at: GeneratedTimestamp;
}

export interface OffersTable {
  publisher_id: string;
  id: string;
  /** The draft offer document (docs/contracts.md §2). */
  draft: Json<Record<string, unknown>>;
  /** Changes with every draft update; `If-Match` compares against it. */
  etag: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  /** Preview slot: a published snapshot awaiting sign-off, served to its preview audience only. */
  preview: Json<Record<string, unknown>> | null;
  preview_operation_id: string | null;
  /** Live slot: the version the public storefront serves. */
  live: Json<Record<string, unknown>> | null;
  live_operation_id: string | null;
  live_at: Timestamp | null;
}

/** Every version that was live, kept for rollback and audit. */
export interface OfferLiveHistoryTable {
  id: Generated<number>;
  publisher_id: string;
  offer_id: string;
  operation_id: string;
  snapshot: Json<Record<string, unknown>>;
  went_live_at: Timestamp;
  replaced_at: Timestamp | null;
}

export interface OperationsTable {
  id: string;
  publisher_id: string;
  offer_id: string;
  status: OperationStatus;
  /** The draft as it was at publish time; every step works on this, never on the live draft. */
  snapshot: Json<Record<string, unknown>>;
  snapshot_etag: string;
  notify_emails: Json<string[]>;
  /** The language of the request that published (`en`, `de`): its e-mails are written in it (migration 004). */
  locale: Generated<string>;
  created_by: string;
  cancel_requested: Generated<boolean>;
  /** Results steps hand to later steps (image hashes, sizes, packages), keyed by step. */
  artifacts: Json<Record<string, unknown>>;
  error: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  completed_at: Timestamp | null;
}

export interface OperationStepsTable {
  operation_id: string;
  step_id: string;
  position: number;
  status: StepStatus;
  progress: Generated<number>;
  expected_max_seconds: number | null;
  stuck: Generated<boolean>;
  messages: Json<StepMessage[]>;
  /** Per-step progress that survives a worker's death (e.g. regions done). */
  checkpoint: Json<Record<string, unknown>>;
  attempts: Generated<number>;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
}

/** Who changed what when: every status transition of operations and steps. */
export interface TransitionsTable {
  id: Generated<number>;
  operation_id: string;
  step_id: string | null;
  /** A step's or the operation's status; `cancelRequested` marks the operation's cancel request. */
  from_status: TransitionStatus | null;
  to_status: TransitionStatus;
  actor: string;
  note: string | null;
  at: GeneratedTimestamp;
}

export interface CertificationReportsTable {
  id: Generated<number>;
  operation_id: string;
  publisher_id: string;
  offer_id: string;
  result: ReportResult;
  report: Json<Record<string, unknown>>;
  /** null (automatic) | pending | approved | rejected */
  review_status: ReviewStatus | null;
  reviewer: string | null;
  feedback: string | null;
  created_at: GeneratedTimestamp;
  reviewed_at: Timestamp | null;
  /** The boot validation's serial console log (migration 009); null when nothing booted. */
  console_log: Generated<string | null>;
  /** The CycloneDX SBOM of the OS disk's packages (migration 011); null when no package database was read. */
  sbom: Generated<string | null>;
}

export interface TicketsTable {
  id: string;
  publisher_id: string;
  offer_id: string | null;
  operation_id: string | null;
  step_id: string | null;
  /** system (stuck step) | publisher | operator */
  source: TicketSource;
  title: string;
  body: string;
  status: TicketStatus;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  /** `{de: {title, body}}` for tickets the system opened (migration 003); null otherwise. */
  translations: ColumnType<Translations | null, string | null | undefined, string | null>;
}

/** One message of a ticket's conversation, oldest first. */
export interface TicketCommentsTable {
  id: string;
  ticket_id: string;
  /** `publisher:<id>` | `operator` | `system` */
  author: string;
  body: string;
  created_at: GeneratedTimestamp;
}

export interface LeadsTable {
  id: string;
  publisher_id: string;
  offer_id: string;
  plan_id: string;
  subscription_id: string;
  contact: Json<{ name: string; email: string; company?: string }>;
  kind: LeadKind;
  delivery_status: LeadDeliveryStatus;
  delivery_attempts: Generated<number>;
  last_error: string | null;
  created_at: GeneratedTimestamp;
  delivered_at: Timestamp | null;
}

/** An offer's lead signing secret, sealed with the marketplace's secret key (src/leads/secrets.ts). */
export interface OfferLeadSecretsTable {
  publisher_id: string;
  offer_id: string;
  /** `v1.<nonce>.<ciphertext+tag>` (src/security/secret-box.ts); never the plaintext. */
  sealed: string;
  /** The id of the key that sealed it. */
  key_id: string;
  /** `sha256:<16 hex>` of the secret, shown to the publisher. */
  fingerprint: string;
  created_at: GeneratedTimestamp;
}

export interface SigningKeysTable {
  key_id: string;
  public_key_pem: string;
  private_key_pem: string;
  created_at: GeneratedTimestamp;
}

/** The OpenPGP key signing the simplestreams documents (migration 013, src/catalog/streams-key.ts). */
export interface StreamSigningKeysTable {
  /** The key's OpenPGP v4 fingerprint, 40 lower-case hex digits. */
  fingerprint: string;
  public_key_armored: string;
  private_key_armored: string;
  created_at: GeneratedTimestamp;
}

/**
 * The audit log (migration 006): one row per state-changing request, appended in the change's own
 * transaction (src/audit/). Append-only: a trigger refuses UPDATE and DELETE.
 */
export interface AuditEventsTable {
  id: string;
  at: GeneratedTimestamp;
  actor_kind: AuditActorKind;
  /** The acting publisher (actor_kind `publisher`). */
  actor_publisher_id: string | null;
  /** The first 12 hex of the token's SHA-256: tells tokens apart, reveals nothing of them. */
  token_id: string | null;
  /** Whose resources the request was about: the scope a publisher reads. */
  publisher_id: string | null;
  method: string;
  /** The route pattern, e.g. `/api/v1/publishers/:pub/offers/:offer`. */
  route: string;
  target: string | null;
  outcome: AuditOutcome;
  /** The HTTP status; null for a change recorded in its transaction, before the answer. */
  status: number | null;
  error_code: string | null;
  address: string | null;
  request_id: string | null;
}

/**
 * A conversion provisioning made (migration 007): the certified file `source_sha256` as
 * `format`, stored in the primary store as `sha256`. Looked up before converting again.
 */
export interface DiskConversionsTable {
  source_sha256: string;
  format: string;
  sha256: string;
  /** bigint: the driver answers a string for it. */
  size: ColumnType<string | number, number, number>;
  virtual_sha256: string;
  created_at: GeneratedTimestamp;
}

/**
 * A test-drive VM (migration 008, src/test-drives/): a customer's, or a hot instance (`hot`,
 * no subscription yet). `owner` is the process holding the VM, `heartbeat_at` its last sign of life.
 */
export interface TestDrivesTable {
  id: string;
  publisher_id: string;
  offer_id: string;
  plan_id: string;
  region: string;
  image_sha256: string;
  status: TestDriveStatus;
  hot: Generated<boolean>;
  subscription_id: string | null;
  email: string | null;
  /** SHA-256 (hex) of the customer's access token; the token is shown once. */
  access_token_hash: string | null;
  lead_id: string | null;
  owner: string;
  heartbeat_at: GeneratedTimestamp;
  created_at: GeneratedTimestamp;
  /** When the customer started it (took the hot instance); null for a hot instance. */
  started_at: Timestamp | null;
  expires_at: Timestamp | null;
  ended_at: Timestamp | null;
  end_reason: TestDriveEndReason | null;
  error: string | null;
}

/**
 * A publisher's lifecycle decision about an offer (`plan_id` '') or one plan (migration 012,
 * src/lifecycle/): deprecated from a day on (acquire refuses from that day, UTC), or no longer sold.
 */
export interface OfferLifecycleTable {
  publisher_id: string;
  offer_id: string;
  plan_id: Generated<string>;
  /** `YYYY-MM-DD` (UTC): ISO days compare as text. */
  deprecated_on: string | null;
  deprecation_reason: string | null;
  alternative_plan: string | null;
  stopped_at: Timestamp | null;
  updated_at: GeneratedTimestamp;
}

/** A version (the operation id of a live slot or history entry) an operator revoked (migration 012). */
export interface VersionRevocationsTable {
  id: string;
  publisher_id: string;
  offer_id: string;
  operation_id: string;
  reason: string;
  revoked_by: string;
  revoked_at: GeneratedTimestamp;
  /** It was in the live slot when revoked (and was taken out of it). */
  was_live: boolean;
  customers_notified: Generated<number>;
  /** The earlier version proposed for republishing; null when none qualified. */
  republish_operation_id: string | null;
  /** pending | accepted | declined; null without a proposal. */
  republish_status: 'pending' | 'accepted' | 'declined' | null;
  republish_decided_by: string | null;
  republish_decided_at: Timestamp | null;
  /** Why no earlier version is proposed, when none is. */
  republish_note: string | null;
}

/** One customer's acquisition of a plan (migration 010): what `GET /catalog/acquisitions/{id}` reads back. */
export interface AcquisitionsTable {
  id: string;
  lead_id: string;
  publisher_id: string;
  offer_id: string;
  plan_id: string;
  subscription_id: string;
  /** The operation whose slot document was served: the version acquired. */
  operation_id: string;
  slot: 'live' | 'preview';
  /** SHA-256 (hex) of the access token; the token is shown once, in the acquire answer. */
  token_hash: string;
  created_at: GeneratedTimestamp;
}

/** Downloads per plan, region and customer (migration 010); bigint columns arrive as strings. */
export interface DownloadCountsTable {
  publisher_id: string;
  offer_id: string;
  plan_id: string;
  region: string;
  subscription_id: string;
  downloads: ColumnType<string | number, number | undefined, number>;
  bytes: ColumnType<string | number, number | undefined, number>;
  last_at: GeneratedTimestamp;
}

export interface Database {
  publishers: PublishersTable;
  offers: OffersTable;
  offer_live_history: OfferLiveHistoryTable;
  operations: OperationsTable;
  operation_steps: OperationStepsTable;
  transitions: TransitionsTable;
  certification_reports: CertificationReportsTable;
  tickets: TicketsTable;
  ticket_comments: TicketCommentsTable;
  leads: LeadsTable;
  signing_keys: SigningKeysTable;
  offer_lead_secrets: OfferLeadSecretsTable;
  audit_events: AuditEventsTable;
  disk_conversions: DiskConversionsTable;
  test_drives: TestDrivesTable;
  stream_signing_keys: StreamSigningKeysTable;
  offer_lifecycle: OfferLifecycleTable;
  version_revocations: VersionRevocationsTable;
  acquisitions: AcquisitionsTable;
  download_counts: DownloadCountsTable;
}
