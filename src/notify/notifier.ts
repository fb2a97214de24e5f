/**
 * Tells people about pipeline events: an email to the operation's recipients (when the operator
 * configured SMTP) and a signed JSON POST to each configured webhook. Notifications are best
 * effort: failures are retried, then logged, and never thrown — the status document stays the
 * source of truth.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/load.ts';
import type { Locale } from '../i18n/locale.ts';
import { localizeTree } from '../i18n/localize-tree.ts';
import type { Phrase, Translations } from '../i18n/localized.ts';
import { hmacSignature } from '../security/hmac.ts';
import { isVmarketError, VmarketError } from '../errors.ts';
import { withRetries, type RetryOptions } from '../security/retry.ts';
import { checkOutboundUrl, loadTrustedCas, redact, requestChecked } from '../security/urls.ts';
import { createMailer, describeSmtpError, isPermanentSmtpError, type Mailer } from './mailer.ts';

export type NotifyEventType =
  | 'operation.waitingForSignoff'
  | 'operation.succeeded'
  | 'operation.failed'
  | 'operation.canceled'
  | 'certification.waitingForApproval'
  | 'step.stuck'
  /** An operator revoked a version of an offer (src/lifecycle/revoke.ts); customers who acquired it are e-mailed. */
  | 'offer.version.revoked'
  /** A publisher deprecated an offer or plan (src/lifecycle/sell.ts); its customers are e-mailed. */
  | 'offer.deprecated'
  /** A publisher stopped selling an offer or plan; its customers are e-mailed. */
  | 'offer.sale.stopped';

export interface NotifyEvent {
  type: NotifyEventType;
  publisher: string;
  offer: string;
  operationId: string;
  step?: string;
  /** One or two sentences for people, in English (webhooks get this). */
  message: string;
  /** `message` in the other languages (src/i18n/localized.ts); never sent to webhooks. */
  translations?: Translations;
  /** The language the e-mail is written in (the publishing request's); English by default. */
  locale?: Locale;
  /** Named links (status page, preview...), listed in the email and sent in the webhook body. */
  links?: Record<string, string>;
}

/** The part of a pino logger the notifier uses. */
export interface NotifyLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface NotifierOptions {
  config: Pick<Config, 'smtp' | 'webhooks' | 'deliveries' | 'trustedCaFiles'>;
  /** Where webhook secrets (`secretEnv`) and the SMTP password are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  logger: NotifyLogger;
  /** Retry policy per email and per webhook. Default 5 attempts, 200 ms base delay. */
  retry?: RetryOptions;
  /** A mailer to use instead of one made from `config.smtp`. */
  mailer?: Mailer;
  /** Webhook request timeout in ms. Default 10000. */
  timeoutMs?: number;
}

/** What happened to one notification (for logs and tests; nothing is thrown). */
export interface NotifyResult {
  email: 'sent' | 'failed' | 'skipped';
  webhooks: { url: string; delivered: boolean; status?: number; error?: string }[];
}

/** The JSON body POSTed to webhooks: the event in English, for the operator's systems. */
export interface WebhookBody extends Omit<NotifyEvent, 'translations' | 'locale'> {
  /** The delivery id, also in `X-Vmarket-Delivery`. */
  id: string;
  /** ISO 8601. */
  at: string;
}

const HEADLINES: Record<NotifyEventType, Phrase<[step: string | undefined]>> = {
  'operation.waitingForSignoff': { en: () => 'the preview is ready for your sign-off', de: () => 'die Vorschau wartet auf Ihre Genehmigung' },
  'operation.succeeded': { en: () => 'the offer is live', de: () => 'das Angebot ist live' },
  'operation.failed': { en: () => 'publishing failed', de: () => 'die Veröffentlichung ist fehlgeschlagen' },
  'operation.canceled': { en: () => 'publishing was canceled', de: () => 'die Veröffentlichung wurde abgebrochen' },
  'certification.waitingForApproval': {
    en: () => 'certification waits for an operator approval',
    de: () => 'die Zertifizierung wartet auf die Freigabe durch den Betreiber',
  },
  'offer.version.revoked': { en: () => 'a version was revoked', de: () => 'eine Version wurde widerrufen' },
  'offer.deprecated': { en: () => 'deprecated', de: () => 'abgekündigt' },
  'offer.sale.stopped': { en: () => 'no longer sold', de: () => 'wird nicht mehr verkauft' },
  'step.stuck': {
    en: (step) => `step ${step ?? ''} is taking longer than expected`.replace('  ', ' '),
    de: (step) => `der Schritt ${step ?? ''} dauert länger als erwartet`.replace('  ', ' '),
  },
};

const LABELS: Record<Locale, { offer: string; operation: string; step: string }> = {
  en: { offer: 'Offer', operation: 'Operation', step: 'Step' },
  de: { offer: 'Angebot', operation: 'Vorgang', step: 'Schritt' },
};

/** The subject and plain-text body of an event's email, in the event's language. */
export function notificationEmail(event: NotifyEvent): { subject: string; text: string } {
  const locale = event.locale ?? 'en';
  const label = LABELS[locale];
  const subject = `vmarket: ${event.publisher}.${event.offer}: ${HEADLINES[event.type][locale](event.step)}`;
  const lines = [
    localizeTree(event, locale).message,
    '',
    `${label.offer}: ${event.publisher}.${event.offer}`,
    `${label.operation}: ${event.operationId}`,
    ...(event.step ? [`${label.step}: ${event.step}`] : []),
    ...Object.entries(event.links ?? {}).map(([name, url]) => `${name}: ${url}`),
  ];
  return { subject, text: `${lines.join('\n')}\n` };
}

export class Notifier {
  readonly #options: NotifierOptions;
  readonly #env: NodeJS.ProcessEnv;
  #mailer: Mailer | undefined;
  #ownsMailer = false;
  #warnedNoSmtp = false;

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.#mailer = options.mailer;
  }

  /**
   * Emails `recipients` (skipped, with a one-time warning, when SMTP is not configured) and
   * POSTs the event to every webhook whose `events` include it (all when unset). Never throws.
   */
  async notify(event: NotifyEvent, recipients: readonly string[]): Promise<NotifyResult> {
    const hooks = this.#options.config.webhooks.filter((w) => !w.events || w.events.includes(event.type));
    const [email, webhooks] = await Promise.all([this.#email(event, recipients), Promise.all(hooks.map((hook) => this.#webhook(hook, event)))]);
    return { email, webhooks };
  }

  /**
   * Emails `recipients` only, no webhook: for messages addressed to one customer each (a
   * revocation tells every customer on their own, then posts the webhook once). Never throws.
   */
  async notifyByEmailOnly(event: NotifyEvent, recipients: readonly string[]): Promise<NotifyResult['email']> {
    return this.#email(event, recipients);
  }

  /** Closes the SMTP connection pool the notifier opened (not a mailer it was given). */
  close(): void {
    if (this.#ownsMailer) this.#mailer?.close();
  }

  #getMailer(): Mailer | undefined {
    if (this.#mailer) return this.#mailer;
    const smtp = this.#options.config.smtp;
    if (!smtp) {
      if (!this.#warnedNoSmtp) this.#options.logger.warn({}, 'SMTP is not configured: email notifications are not sent (set smtp in the server configuration).');
      this.#warnedNoSmtp = true;
      return undefined;
    }
    try {
      this.#mailer = createMailer(smtp, this.#env);
      this.#ownsMailer = true;
      return this.#mailer;
    } catch (error) {
      if (!this.#warnedNoSmtp) this.#options.logger.warn({ err: (error as Error).message }, 'SMTP is misconfigured: email notifications are not sent.');
      this.#warnedNoSmtp = true;
      return undefined;
    }
  }

  async #email(event: NotifyEvent, recipients: readonly string[]): Promise<NotifyResult['email']> {
    if (recipients.length === 0) return 'skipped';
    const mailer = this.#getMailer();
    if (!mailer) return 'skipped';
    const { subject, text } = notificationEmail(event);
    try {
      await withRetries(
        async () => {
          try {
            return await mailer.send({ to: [...recipients], subject, text });
          } catch (error) {
            // an SMTP 5xx (unknown recipient...) stops the retries; the log quotes the server's answer
            if (isPermanentSmtpError(error)) throw new VmarketError('DELIVERY_REFUSED', describeSmtpError(error), { cause: error });
            throw error;
          }
        },
        this.#options.retry,
      );
      this.#options.logger.info({ event: event.type, operationId: event.operationId, recipients: recipients.length }, 'notification email sent');
      return 'sent';
    } catch (error) {
      this.#options.logger.error(
        { event: event.type, operationId: event.operationId, err: describeSmtpError(isVmarketError(error) && error.code === 'DELIVERY_REFUSED' ? error.cause : error) },
        'notification email failed',
      );
      return 'failed';
    }
  }

  async #webhook(hook: Config['webhooks'][number], event: NotifyEvent): Promise<NotifyResult['webhooks'][number]> {
    let where = hook.url;
    try {
      where = redact(new URL(hook.url));
    } catch {
      // reported by the check below
    }
    const log = { event: event.type, operationId: event.operationId, webhook: where };
    let secret: string | undefined;
    if (hook.secretEnv) {
      secret = this.#env[hook.secretEnv];
      if (!secret) {
        this.#options.logger.error({ ...log, secretEnv: hook.secretEnv }, 'webhook secret variable is not set: webhook not sent');
        return { url: where, delivered: false, error: `The environment variable ${hook.secretEnv} is not set.` };
      }
    }
    try {
      const checked = await checkOutboundUrl(hook.url, { allowPrivateNetworks: this.#options.config.deliveries.allowPrivateNetworks });
      const ca = await loadTrustedCas(this.#options.config.trustedCaFiles);
      const id = randomUUID();
      const { locale: _locale, ...english } = localizeTree(event, 'en');
      const payload: WebhookBody = { ...english, id, at: new Date().toISOString() };
      const body = Buffer.from(JSON.stringify(payload), 'utf8');
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'vmarket-notify',
        'x-vmarket-event': event.type,
        'x-vmarket-delivery': id,
      };
      if (secret) headers['x-vmarket-signature'] = hmacSignature(secret, body);
      const status = await withRetries(
        async () => {
          const res = await requestChecked(checked, { method: 'POST', body, headers, ca, timeoutMs: this.#options.timeoutMs ?? 10_000 });
          // only the status counts: the answer is not read, so a receiver cannot hold the connection with an endless body
          res.destroy();
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return code;
          // 408, 429 and 5xx may pass on another attempt; any other answer is the receiver's no
          throw new VmarketError(code === 408 || code === 429 || code >= 500 ? 'NOTIFICATION_FAILED' : 'DELIVERY_REFUSED', `HTTP ${code}`);
        },
        this.#options.retry,
      );
      this.#options.logger.info({ ...log, status }, 'webhook delivered');
      return { url: where, delivered: true, status };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.#options.logger.error({ ...log, err: text }, 'webhook delivery failed');
      return { url: where, delivered: false, error: text };
    }
  }
}
