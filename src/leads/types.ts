/** Leads: a customer's acquisition of a plan, handed to the publisher's destination (docs/contracts.md §2, §5). */
import type { Config } from '../config/load.ts';
import type { LeadContact, LeadKind } from '../contracts/index.ts';
import type { RetryOptions } from '../security/retry.ts';
import type { Mailer } from '../notify/mailer.ts';

export type { LeadContact } from '../contracts/index.ts';

export interface Lead {
  id: string;
  /** `${publisher}.${offer}` */
  offer: string;
  plan: string;
  subscriptionId: string;
  contact: LeadContact;
  /** ISO 8601. */
  createdAt: string;
  /** `registration-test` is the lead the package step sends to prove the destination works. */
  kind: LeadKind;
}

/** The offer's `leads` section. */
export interface LeadDestination {
  destination: 'none' | 'https' | 'email' | 'table';
  https?: { url: string };
  email?: { to: string[] };
}

/** What a delivery needs: the server configuration, the operator's environment, the offer's secret. */
export interface LeadContext {
  config: Pick<Config, 'smtp' | 'deliveries' | 'trustedCaFiles'>;
  /** Where the operator's `smtp.passwordEnv` is read; never anything an offer names. */
  env: NodeJS.ProcessEnv;
  /**
   * The offer's lead signing secret (https), e.g. `leadSigningSecret` of ./secrets.ts, which throws
   * LEAD_DELIVERY_FAILED when the offer has none or it does not decrypt. Without it an https
   * delivery fails; it never goes out unsigned.
   */
  signingSecret?: () => Promise<string>;
  signal?: AbortSignal;
  /** Retry policy. Default 5 attempts, 200 ms base delay doubling each retry. */
  retry?: RetryOptions;
  /** A mailer to reuse; default one made from `config.smtp` for the delivery and closed after. */
  mailer?: Mailer;
  /** Request timeout of an https delivery in ms. Default 15000. */
  timeoutMs?: number;
}

/** How a delivery went. */
export interface LeadDeliveryResult {
  destination: LeadDestination['destination'];
  /** False for `none` and `table` (nothing is sent: the caller keeps the lead). */
  sent: boolean;
  attempts: number;
  /** The HTTP status (https) accepted. */
  status?: number;
  /** The `X-Vmarket-Delivery` id (https) or the message id (email). */
  deliveryId?: string;
}
