/**
 * Support tickets of the publisher acted for: the list (also the tickets a stuck publishing step
 * opened by itself), a form to open one, and one ticket with its conversation, a reply form and
 * Close/Reopen. The operator view reuses the labels exported here.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError, publisherPath } from '../../api/client.ts';
import type { OfferSummary, Ticket, TicketComment, TicketStatus, TicketWithComments } from '../../../../contracts/index.ts';
import { useAuth } from '../../auth.tsx';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useApi } from '../../components/use-api.ts';
import { LoadMore } from '../../components/LoadMore.tsx';
import { usePagedApi } from '../../components/use-paged-api.ts';
import { useFormat } from '../../format.ts';
import { Link, navigate } from '../../router.tsx';
import './tickets-leads.css';
import { useStepNames } from '../../step-names.ts';

export function ticketPath(publisherId: string, ticketId: string): string {
  return `${publisherPath(publisherId)}/tickets/${encodeURIComponent(ticketId)}`;
}

/** The portal address of a ticket (what links and the operator's act-for open). */
export function ticketPage(ticketId: string): string {
  return `/portal/tickets/${encodeURIComponent(ticketId)}`;
}

export function TicketStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation('tickets');
  return <span className={`badge ${status === 'open' ? 'badge-running' : 'badge-muted'}`}>{t(`status.${status}`, { defaultValue: status })}</span>;
}

/**
 * Who opened the ticket, seen by the viewer: a stuck step (with the step's name), "you", the
 * operator or the publisher.
 */
export function ticketSourceText(t: TFunction, ticket: Ticket, viewerIsOperator: boolean, stepNames: (id: string) => string): string {
  if (ticket.source === 'system') {
    return ticket.stepId ? t('tickets:source.systemStep', { step: stepNames(ticket.stepId) }) : t('tickets:source.system');
  }
  if (ticket.source === 'operator') return viewerIsOperator ? t('tickets:source.youOperator') : t('tickets:source.operator');
  return viewerIsOperator ? t('tickets:source.publisher') : t('tickets:source.you');
}

function authorText(t: TFunction, author: string, viewerIsOperator: boolean, publisherId: string): string {
  if (author === 'system') return t('tickets:author.system');
  if (author === 'operator') return viewerIsOperator ? t('tickets:author.youOperator') : t('tickets:author.operator');
  const id = author.startsWith('publisher:') ? author.slice('publisher:'.length) : author;
  return !viewerIsOperator && id === publisherId ? t('tickets:author.you') : t('tickets:author.publisher', { id });
}

function Time({ iso }: { iso: string | null }) {
  const format = useFormat();
  return iso ? <time dateTime={iso}>{format.dateTime(iso)}</time> : <span>—</span>;
}

type FieldErrors = Partial<Record<'title' | 'body' | 'offerId', string>>;

/** Field errors from a 422/404 answer's details; undefined when the error belongs to no field. */
function fieldErrorsOf(error: unknown, fields: readonly string[]): Record<string, string> | undefined {
  if (!(error instanceof ApiError) || error.details.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const detail of error.details) {
    const field = fields.find((f) => detail.path === f || detail.path.startsWith(`${f}.`));
    if (!field) return undefined;
    out[field] ??= detail.message;
  }
  return out;
}

function OpenTicketForm({ publisherId, onCancel }: { publisherId: string; onCancel(): void }) {
  const { t } = useTranslation('tickets');
  const offers = useApi((signal) => api.get<{ offers: OfferSummary[] }>(`${publisherPath(publisherId)}/offers`, { signal }), [publisherId]);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [offerId, setOfferId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const titleInput = useRef<HTMLInputElement>(null);

  useEffect(() => titleInput.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const found: FieldErrors = {};
    if (!title.trim()) found.title = t('form.titleRequired');
    if (!body.trim()) found.body = t('form.bodyRequired');
    setErrors(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(found.title ? 'ticket-title' : 'ticket-body')?.focus();
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<Ticket>(`${publisherPath(publisherId)}/tickets`, { title: title.trim(), body: body.trim(), ...(offerId ? { offerId } : {}) });
      navigate(ticketPage(created.id));
    } catch (cause) {
      const atFields = fieldErrorsOf(cause, ['title', 'body', 'offerId']);
      if (atFields) setErrors(atFields);
      else setError(cause);
      setBusy(false);
    }
  };

  return (
    <form className="ticket-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="open-ticket-heading">
      <h2 id="open-ticket-heading">{t('form.heading')}</h2>
      <Field id="ticket-title" label={t('form.title')} error={errors.title} required>
        <input ref={titleInput} type="text" maxLength={200} value={title} onChange={(event) => setTitle(event.target.value)} />
      </Field>
      <Field id="ticket-body" label={t('form.body')} hint={t('form.bodyHint')} error={errors.body} required>
        <textarea rows={6} maxLength={10_000} value={body} onChange={(event) => setBody(event.target.value)} />
      </Field>
      <Field id="ticket-offer" label={t('form.offer')} error={errors.offerId}>
        <select value={offerId} onChange={(event) => setOfferId(event.target.value)} disabled={offers.loading && !offers.data}>
          <option value="">{t('form.noOffer')}</option>
          {(offers.data?.offers ?? []).map((offer) => (
            <option key={offer.id} value={offer.id}>
              {offer.title ? `${offer.title} (${offer.id})` : offer.id}
            </option>
          ))}
        </select>
      </Field>
      {offers.error !== undefined && <p className="hint">{t('form.offersUnavailable')}</p>}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('form.submit')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}

export function TicketsPage({ publisherId }: { publisherId: string }) {
  const { t } = useTranslation('tickets');
  const { isOperator } = useAuth();
  const tickets = usePagedApi<'tickets', Ticket>(`${publisherPath(publisherId)}/tickets`, 'tickets', [publisherId]);
  const [opening, setOpening] = useState(false);
  const openButton = useRef<HTMLButtonElement>(null);

  const list = tickets.data?.tickets ?? [];
  return (
    <section aria-labelledby="tickets-heading">
      <div className="page-head">
        <h1 id="tickets-heading">{t('heading')}</h1>
        {!opening && (
          <button ref={openButton} type="button" className="primary" onClick={() => setOpening(true)}>
            {t('form.open')}
          </button>
        )}
      </div>
      <p className="muted">{t('intro')}</p>
      {opening && (
        <OpenTicketForm
          publisherId={publisherId}
          onCancel={() => {
            setOpening(false);
            setTimeout(() => openButton.current?.focus());
          }}
        />
      )}
      {tickets.loading && !tickets.data && <Loading />}
      <ErrorMessage error={tickets.error} onRetry={tickets.reload} />
      {tickets.data && list.length === 0 && <p>{t('empty')}</p>}
      {list.length > 0 && <TicketTable tickets={list} viewerIsOperator={isOperator} caption={t('listCaption')} />}
      <LoadMore list={tickets} />
    </section>
  );
}

/**
 * The tickets as a table. `open` decides what a title link does (the operator view acts for the
 * ticket's publisher first); `showPublisher` adds the publisher column.
 */
export function TicketTable({
  tickets,
  viewerIsOperator,
  caption,
  showPublisher,
  onOpen,
}: {
  tickets: Ticket[];
  viewerIsOperator: boolean;
  caption: string;
  showPublisher?: boolean;
  onOpen?(ticket: Ticket): void;
}) {
  const { t } = useTranslation('tickets');
  const stepNames = useStepNames();
  return (
    <div className="table-wrap">
      <table className="tickets-table stack-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('columns.title')}</th>
            {showPublisher && <th scope="col">{t('columns.publisher')}</th>}
            <th scope="col">{t('columns.offer')}</th>
            <th scope="col">{t('columns.source')}</th>
            <th scope="col">{t('columns.status')}</th>
            <th scope="col">{t('columns.created')}</th>
            <th scope="col">{t('columns.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket) => (
            <tr key={ticket.id}>
              <td data-label={t('columns.title')}>
                <Link to={ticketPage(ticket.id)} onClick={onOpen ? () => onOpen(ticket) : undefined}>
                  {ticket.title}
                </Link>
              </td>
              {showPublisher && <td data-label={t('columns.publisher')} className="mono">{ticket.publisherId}</td>}
              <td data-label={t('columns.offer')} className="mono">{ticket.offerId ?? '—'}</td>
              <td data-label={t('columns.source')}>
                {ticket.source === 'system' ? <span className="badge badge-warn">{ticketSourceText(t, ticket, viewerIsOperator, stepNames)}</span> : ticketSourceText(t, ticket, viewerIsOperator, stepNames)}
              </td>
              <td data-label={t('columns.status')}>
                <TicketStatusBadge status={ticket.status} />
              </td>
              <td data-label={t('columns.created')}>
                <Time iso={ticket.createdAt} />
              </td>
              <td data-label={t('columns.updated')}>
                <Time iso={ticket.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Conversation({ comments, publisherId }: { comments: TicketComment[]; publisherId: string }) {
  const { t } = useTranslation('tickets');
  const { isOperator } = useAuth();
  if (comments.length === 0) return <p className="muted">{t('ticket.noComments')}</p>;
  return (
    <ol className="conversation">
      {comments.map((comment) => {
        const mine = comment.author === (isOperator ? 'operator' : `publisher:${publisherId}`);
        return (
          <li key={comment.id} className={mine ? 'comment comment-mine' : 'comment'}>
            <p className="comment-meta">
              <strong>{authorText(t, comment.author, isOperator, publisherId)}</strong> · <Time iso={comment.createdAt} />
            </p>
            <p className="comment-body">{comment.body}</p>
          </li>
        );
      })}
    </ol>
  );
}

function CommentForm({ publisherId, ticketId, onAdded }: { publisherId: string; ticketId: string; onAdded(comment: TicketComment): void }) {
  const { t } = useTranslation('tickets');
  const [body, setBody] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!body.trim()) {
      setFieldError(t('ticket.replyRequired'));
      document.getElementById('ticket-reply')?.focus();
      return;
    }
    setBusy(true);
    try {
      const comment = await api.post<TicketComment>(`${ticketPath(publisherId, ticketId)}/comments`, { body: body.trim() });
      setBody('');
      setFieldError(undefined);
      onAdded(comment);
    } catch (cause) {
      const atField = fieldErrorsOf(cause, ['body']);
      if (atField) setFieldError(atField.body);
      else setError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="reply-heading">
      <h2 id="reply-heading" className="visually-hidden">
        {t('ticket.replyHeading')}
      </h2>
      <Field id="ticket-reply" label={t('ticket.reply')} error={fieldError} required>
        <textarea
          rows={4}
          maxLength={10_000}
          value={body}
          onChange={(event) => {
            setBody(event.target.value);
            setFieldError(undefined);
          }}
        />
      </Field>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('ticket.send')}
      </button>
    </form>
  );
}

export function TicketPage({ publisherId, ticketId }: { publisherId: string; ticketId: string }) {
  const { t } = useTranslation('tickets');
  const stepNames = useStepNames();
  const { isOperator } = useAuth();
  const ticket = useApi((signal) => api.get<TicketWithComments>(ticketPath(publisherId, ticketId), { signal }), [publisherId, ticketId]);
  const [statusError, setStatusError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  if (ticket.loading && !ticket.data) return <Loading />;
  if (!ticket.data) {
    return (
      <section>
        <p>
          <Link to="/portal/tickets">← {t('ticket.back')}</Link>
        </p>
        <ErrorMessage error={ticket.error} onRetry={ticket.reload} />
      </section>
    );
  }
  const data = ticket.data;
  const stepName = data.stepId ? stepNames(data.stepId) : null;

  const setStatus = async (status: TicketStatus) => {
    setStatusError(undefined);
    setBusy(true);
    try {
      const updated = await api.patch<Ticket>(ticketPath(publisherId, ticketId), { status });
      ticket.set({ ...data, ...updated });
      setAnnouncement(t(status === 'closed' ? 'ticket.closedAnnouncement' : 'ticket.reopenedAnnouncement'));
    } catch (cause) {
      setStatusError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="ticket" aria-labelledby="ticket-heading">
      <p>
        <Link to="/portal/tickets">← {t('ticket.back')}</Link>
      </p>
      <div className="ticket-head">
        <h1 id="ticket-heading">{data.title}</h1>
        <TicketStatusBadge status={data.status} />
        <div className="actions">
          {data.status === 'closed' ? (
            <button type="button" onClick={() => void setStatus('open')} disabled={busy}>
              {t('ticket.reopen')}
            </button>
          ) : (
            <button type="button" onClick={() => void setStatus('closed')} disabled={busy}>
              {t('ticket.close')}
            </button>
          )}
        </div>
      </div>
      <ErrorMessage error={statusError} />
      <dl className="ticket-facts">
        <div>
          <dt>{t('columns.source')}</dt>
          <dd>{ticketSourceText(t, data, isOperator, stepNames)}</dd>
        </div>
        {data.offerId && (
          <div>
            <dt>{t('columns.offer')}</dt>
            <dd>
              <Link to={`/portal/offers/${encodeURIComponent(data.offerId)}`}>{data.offerId}</Link>
            </dd>
          </div>
        )}
        {stepName && (
          <div>
            <dt>{t('ticket.step')}</dt>
            <dd>{stepName}</dd>
          </div>
        )}
        <div>
          <dt>{t('columns.created')}</dt>
          <dd>
            <Time iso={data.createdAt} />
          </dd>
        </div>
        <div>
          <dt>{t('columns.updated')}</dt>
          <dd>
            <Time iso={data.updatedAt} />
          </dd>
        </div>
      </dl>
      {data.source === 'system' && data.offerId && stepName && (
        <div className="notice notice-warn">
          <p>{t('ticket.stuckNotice', { step: stepName, offer: data.offerId })}</p>
          <p>
            <Link to={`/portal/offers/${encodeURIComponent(data.offerId)}`}>{t('ticket.stuckLink', { offer: data.offerId })}</Link>
          </p>
        </div>
      )}
      <div className="ticket-body">
        {data.source === 'system' && <h2 className="small-heading">{t('ticket.details')}</h2>}
        <p className="comment-body">{data.body}</p>
      </div>

      <h2>{t('ticket.conversation')}</h2>
      <Conversation comments={data.comments} publisherId={publisherId} />
      {data.status === 'closed' && <p className="notice">{t('ticket.closedNotice')}</p>}
      <CommentForm
        publisherId={publisherId}
        ticketId={ticketId}
        onAdded={(comment) => {
          ticket.set({ ...data, comments: [...data.comments, comment], updatedAt: comment.createdAt });
          setAnnouncement(t('ticket.replyAdded'));
        }}
      />
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </article>
  );
}
