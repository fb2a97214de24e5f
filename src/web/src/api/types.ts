/** The shapes of the API answers the pages read (CONTRACTS §5, /api/v1/openapi.json). */

export type StepId = 'validate' | 'test-drive' | 'certify' | 'provision' | 'package' | 'signoff' | 'deploy' | 'live';
export const STEP_IDS: StepId[] = ['validate', 'test-drive', 'certify', 'provision', 'package', 'signoff', 'deploy', 'live'];

export type StepStatus =
  | 'notStarted'
  | 'inProgress'
  | 'waitingForPublisherReview'
  | 'waitingForApproval'
  | 'blocked'
  | 'complete'
  | 'skipped'
  | 'canceled';

export type OperationStatus = 'notStarted' | 'running' | 'waitingForPublisherReview' | 'succeeded' | 'failed' | 'canceled';
export type OfferStatus = OperationStatus | 'neverPublished';

export interface StepMessage {
  level: 'information' | 'warning' | 'error';
  text: string;
  at: string;
}

export interface Step {
  id: StepId;
  name: string;
  description: string;
  status: StepStatus;
  progressPercentage: number;
  estimatedTimeFrame: string;
  expectedMaxSeconds: number | null;
  startedAt: string | null;
  completedAt: string | null;
  stuck: boolean;
  ticketId?: string | null;
  messages: StepMessage[];
}

export interface OfferStatusDocument {
  status: OfferStatus;
  operationId: string | null;
  steps: Step[];
  previewLinks: string[];
  liveLinks: string[];
}

export interface Me {
  kind: 'publisher' | 'operator';
  publisher?: { id: string; name: string };
}

export interface OfferSummary {
  id: string;
  publisher: string;
  status: OfferStatus;
  etag: string;
  operationId: string | null;
  title: string | null;
  hasPreview: boolean;
  live: boolean;
  liveAt: string | null;
  updatedAt: string | null;
}

export interface OfferSlot {
  id: string;
  publisher: string;
  slot: 'draft' | 'preview' | 'live';
  status: OfferStatus;
  etag: string;
  offer: Record<string, unknown>;
  operationId: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
}

export interface Pricing {
  model: 'free' | 'byol' | 'hourly';
  hourlyUsd?: number;
}

export interface CatalogPlanSummary {
  id: string;
  title: string;
  summary: string;
  pricing: Pricing;
}

export interface CatalogOfferSummary {
  id: string;
  publisher: string;
  offerId: string;
  title: string;
  summary: string;
  categories: string[];
  keywords: string[];
  preview: boolean;
  publishedAt: string;
  plans: CatalogPlanSummary[];
}

export interface CatalogPlan extends CatalogPlanSummary {
  description: string;
  os: { family?: string; type?: string; name?: string };
  regions: string[];
  recommendedSizes: string[];
  openPorts: { protocol: string; port: number }[];
  version: string;
}

export interface CatalogOffer extends Omit<CatalogOfferSummary, 'plans'> {
  description: string;
  privacyUrl: string | null;
  termsOfUse: string | null;
  support: { name?: string; email?: string; phone?: string; url?: string };
  testDrive: { enabled: boolean; durationHours?: number; userManualUrl?: string } | null;
  plans: CatalogPlan[];
}

export interface PackageImage {
  role: 'os' | 'data';
  lun: number | null;
  sha256: string;
  size: number;
  locations: Record<string, string>;
}

export interface AcquiredPackage {
  package: { offer: string; plan: string; version: string; images: PackageImage[]; template: Record<string, unknown> };
  signature: string;
  keyId: string;
  leadId: string;
  slot: 'live' | 'preview';
}

export interface CertificationEvidence {
  image?: string;
  path?: string;
  line?: number;
  detail?: string;
}

export interface CertificationCheck {
  id: string;
  status: 'passed' | 'failed' | 'warning' | 'skipped';
  severity: 'error' | 'warning';
  title: string;
  message: string;
  evidence?: CertificationEvidence[];
  remediation?: string;
}

export interface CertificationReport {
  result: 'passed' | 'failed';
  images: { role: string; lun: number | null; path: string; format: string; virtualSize: number; sha256: string }[];
  checks: CertificationCheck[];
  stats: { files?: number; bytesRead?: number; durationMs?: number };
  operationId?: string;
  review?: { status?: string; reviewer?: string | null; feedback?: string | null; reviewedAt?: string | null } | null;
}

export interface Ticket {
  id: string;
  publisherId: string;
  offerId: string | null;
  operationId: string | null;
  stepId: string | null;
  source: 'system' | 'publisher' | 'operator';
  title: string;
  body: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface TicketComment {
  id: string;
  author: string;
  body: string;
  createdAt: string;
}

export interface Lead {
  id: string;
  offerId: string;
  planId: string;
  subscriptionId: string;
  contact: { name: string; email: string; company?: string };
  kind: string;
  deliveryStatus: 'pending' | 'delivered' | 'stored' | 'failed';
  deliveryAttempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface MarketplaceFacts {
  regions: { id: string; name?: string }[];
  categories: string[];
  supportedOs?: unknown[];
  version?: string;
}

// — tickets, leads and the operator view —

export type TicketStatus = 'open' | 'closed';

export interface TicketWithComments extends Ticket {
  /** The conversation, oldest first. */
  comments: TicketComment[];
}

export interface PublisherListItem {
  id: string;
  name: string;
  createdAt: string | null;
}

/** `POST /publishers` answer: the token is shown this once and never again. */
export interface CreatedPublisher {
  id: string;
  name: string;
  token: string;
}

/** `GET /operations` (operator): a publication under way and the step it is at. */
export interface OperationSummary {
  id: string;
  publisherId: string;
  offerId: string;
  status: OperationStatus;
  createdAt: string;
  createdBy: string;
  currentStep: {
    id: StepId;
    name: string;
    status: StepStatus;
    stuck: boolean;
    startedAt: string | null;
    expectedMaxSeconds: number | null;
  } | null;
}

/** `GET /reviews` (operator): a certification waiting for manual approval. */
export interface PendingReview {
  publisherId: string;
  offerId: string;
  operationId: string;
  waitingSince: string | null;
  result: 'passed' | 'failed';
  failed: number;
  warnings: number;
}
