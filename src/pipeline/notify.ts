/**
 * Pipeline notifications through the notifier (src/notify/): the operation's `notify_emails` by
 * email and the operator's webhooks hear about sign-off waiting, success, failure, cancel,
 * certification waiting for review, and stuck steps. Best effort: never fails a step, the status
 * document stays the source of truth.
 */
import type { AppContext } from '../app/context.ts';
import { negotiateLocale } from '../i18n/locale.ts';
import { localizedFields, type Phrase, say } from '../i18n/localized.ts';
import { Notifier, type NotifyEvent, type NotifyEventType } from '../notify/index.ts';
import { loadOperation, type OperationRow } from './operations.ts';
import { estimatedTimeFrame } from './time-frame.ts';
import { offerLinks } from './status.ts';

export type PipelineEvent = Exclude<NotifyEventType, 'offer.version.revoked' | 'offer.deprecated' | 'offer.sale.stopped'>;

const notifiers = new WeakMap<AppContext, Notifier>();

/** The notifier of this context (one per server, created on first use). */
export function notifierOf(ctx: AppContext): Notifier {
  let notifier = notifiers.get(ctx);
  if (!notifier) {
    notifier = new Notifier({ config: ctx.config, env: ctx.env, logger: ctx.logger });
    notifiers.set(ctx, notifier);
  }
  return notifier;
}

/** What each event says, in the operation's language (`o` is the offer, `publisher.offer`). */
const SENTENCES: { [T in PipelineEvent]: Phrase<[o: string, detail: EventDetail]> } = {
  'operation.waitingForSignoff': {
    en: (o, d) => `The preview of ${o} is ready for its preview audience. Check it, then go live (vmarket golive ${d.offerId}) or cancel.`,
    de: (o, d) => `Die Vorschau von ${o} ist für ihre Vorschau-Zielgruppe bereit. Prüfen Sie sie, dann schalten Sie live (vmarket golive ${d.offerId}) oder brechen ab.`,
  },
  'operation.succeeded': { en: (o) => `${o} is live.`, de: (o) => `${o} ist live.` },
  'operation.failed': {
    en: (o, d) => `Publishing ${o} failed${d.error ? `: ${d.error}` : '.'} Fix the offer and publish again.`,
    de: (o, d) => `Die Veröffentlichung von ${o} ist fehlgeschlagen${d.error ? `: ${d.error}` : '.'} Korrigieren Sie das Angebot und veröffentlichen Sie es erneut.`,
  },
  'operation.canceled': {
    en: (o, d) => `Publishing ${o} was canceled${d.actor ? ` by ${d.actor}` : ''}.`,
    de: (o, d) => `Die Veröffentlichung von ${o} wurde${d.actor ? ` von ${d.actor}` : ''} abgebrochen.`,
  },
  'certification.waitingForApproval': {
    en: (o) => `The certification of ${o} passed and waits for an operator's review.`,
    de: (o) => `Die Zertifizierung von ${o} ist bestanden und wartet auf die Prüfung durch den Betreiber.`,
  },
  'step.stuck': {
    en: (o, d) => `The step "${d.stepName.en}" of ${o} is running past its expected maximum${d.expectedMax ? ` of ${estimatedTimeFrame(d.expectedMax)}` : ''}; a support ticket was opened.`,
    de: (o, d) =>
      `Der Schritt „${d.stepName.de}“ von ${o} läuft länger als erwartet${d.expectedMax ? ` (Höchstdauer: ${estimatedTimeFrame(d.expectedMax, 'de')})` : ''}; ein Support-Ticket wurde eröffnet.`,
  },
};

interface EventDetail {
  offerId: string;
  error: string | null;
  actor: string | undefined;
  stepName: { en: string; de: string };
  expectedMax: number | null | undefined;
}

/** The event as people read it. */
export function pipelineEvent(ctx: AppContext, op: OperationRow, type: PipelineEvent, stepId?: string, expectedMax?: number | null): NotifyEvent {
  const offer = `${op.publisher_id}.${op.offer_id}`;
  const [storefront] = offerLinks(ctx, op.publisher_id, op.offer_id);
  const status = `${ctx.publicUrl.replace(/\/+$/, '')}/api/v1/publishers/${op.publisher_id}/offers/${op.offer_id}/status`;
  const cancel = (op.artifacts as Record<string, any> | null)?.cancel;
  const step = stepId ? ctx.pipeline.find(stepId) : undefined;
  const detail: EventDetail = {
    offerId: op.offer_id,
    error: op.error,
    actor: cancel?.actor,
    stepName: step?.name ?? { en: stepId ?? '', de: stepId ?? '' },
    expectedMax,
  };
  return {
    type,
    publisher: op.publisher_id,
    offer: op.offer_id,
    operationId: op.id,
    ...(stepId ? { step: stepId } : {}),
    ...localizedFields({ message: say(SENTENCES[type], offer, detail) }),
    // the language of the request that published (an unknown value reads as English)
    locale: negotiateLocale(op.locale),
    links: { status, ...(type === 'operation.succeeded' || type === 'operation.waitingForSignoff' ? { storefront } : {}) },
  };
}

/** Sends one pipeline event to the operation's recipients and the webhooks; never throws. */
export async function notifyOperation(
  ctx: AppContext,
  operationId: string,
  type: PipelineEvent,
  extra: { stepId?: string; expectedMaxSeconds?: number | null },
): Promise<void> {
  try {
    const op = await loadOperation(ctx.db.kysely, operationId);
    if (!op) return;
    const recipients = Array.isArray(op.notify_emails) ? op.notify_emails : [];
    await notifierOf(ctx).notify(pipelineEvent(ctx, op, type, extra.stepId, extra.expectedMaxSeconds), recipients);
  } catch (error) {
    ctx.logger.warn({ event: type, operationId, err: error }, 'pipeline notification failed');
  }
}

/** Closes the notifier's SMTP pool (when the workers stop). */
export function closeNotifier(ctx: AppContext): void {
  notifiers.get(ctx)?.close();
  notifiers.delete(ctx);
}
