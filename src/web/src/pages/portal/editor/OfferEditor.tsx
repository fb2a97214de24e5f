/**
 * The editor form of one offer: the whole offer file in fieldsets, Save (PUT with If-Match) and
 * Publish (save if needed, then POST …/publish). Server problems come back as 422 details and are
 * put at their fields and listed in a summary that takes focus; 412 offers to reload the draft.
 */
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, offerPath, request } from '../../../api/client.ts';
import type { DraftSaved, LeadSecretShown } from '../../../../../contracts/index.ts';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { guardLeaving, Link, navigate } from '../../../router.tsx';
import type { LoadedDraft } from '../OfferEditorPage.tsx';
import { AudienceSection } from './AudienceSection.tsx';
import { type Choice, EditorContext, type EditorContextValue } from './controls.tsx';
import { ErrorSummary, type SummaryItem } from './ErrorSummary.tsx';
import { assignErrors, type Detail, encloses } from './field-errors.ts';
import { LeadsSection } from './LeadsSection.tsx';
import { IdentitySection, ListingSection } from './ListingSection.tsx';
import { documentFromForm, type EditorForm, emptyForm, formFromDocument } from './model.ts';
import { PlansSection } from './PlansSection.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { TestDriveSection } from './TestDriveSection.tsx';

const OFFER_ID = /^[a-z0-9-]{3,50}$/;

interface Props {
  publisherId: string;
  offerId?: string;
  loaded: LoadedDraft | null;
  onReload(): void;
  regions: Choice[] | null;
  categories: Choice[] | null;
  marketError: unknown;
}

/** A field's label as the summary shows it: its fieldsets' legends, then the label ("Plan 1 › Title"). */
function labelOf(field: Element): string {
  const parts: string[] = [];
  const own = field.querySelector(':scope > label')?.textContent?.trim();
  for (let set = field.closest('fieldset'); set; set = set.parentElement?.closest('fieldset') ?? null) {
    const legend = set.querySelector(':scope > legend')?.textContent?.trim();
    if (legend) parts.unshift(legend);
  }
  if (own) parts.push(own);
  return parts.join(' › ');
}

export function OfferEditor({ publisherId, offerId, loaded, onReload, regions, categories, marketError }: Props) {
  const { t } = useTranslation('editor');
  const [form, setForm] = useState<EditorForm>(() => (loaded ? formFromDocument(loaded.slot.offer, publisherId) : emptyForm(publisherId)));
  const [etag, setEtag] = useState<string | null>(loaded?.etag ?? null);
  /** The offer's id once it exists on the server (a new offer has one after its first save). */
  const [savedId, setSavedId] = useState<string | undefined>(offerId);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<Record<string, Detail[]>>({});
  const [summary, setSummary] = useState<{ items: SummaryItem[]; note: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  /** The lead signing secret the last save generated: the server shows it this once. */
  const [generatedSecret, setGeneratedSecret] = useState<LeadSecretShown | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const problemRef = useRef<HTMLDivElement>(null);
  const isNew = savedId === undefined;

  // leaving the page (tab close, reload, typed address) with unsaved changes asks first
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = '';
    };
    // links inside the app do not unload the page: ask before one of them drops the changes
    // (capture phase, so the router's link sees defaultPrevented and stays put)
    const leave = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const href = link.getAttribute('href') ?? '';
      if (href.startsWith('#') || link.getAttribute('target') === '_blank') return;
      if (!window.confirm(t('leaveConfirm'))) {
        event.preventDefault();
        event.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', leave, true);
    // and before the browser's Back or Forward button does
    const unguard = guardLeaving(() => window.confirm(t('leaveConfirm')));
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', leave, true);
      unguard();
    };
  }, [dirty, t]);

  useEffect(() => {
    if (summary) summaryRef.current?.focus();
  }, [summary]);
  useEffect(() => {
    if (problem || stale) problemRef.current?.focus();
  }, [problem, stale]);

  const update = useCallback<EditorContextValue['update']>((mutate, path) => {
    setForm((current) => {
      const next = structuredClone(current);
      mutate(next);
      return next;
    });
    setDirty(true);
    setNotice(null);
    if (path !== undefined) {
      // the field's own errors go once it is edited; those of the lists around it stay
      setErrors((current) => {
        if (!Object.keys(current).some((field) => encloses(path, field))) return current;
        return Object.fromEntries(Object.entries(current).filter(([field]) => !encloses(path, field)));
      });
    }
  }, []);
  const clearErrors = useCallback(() => setErrors({}), []);
  const context = useMemo<EditorContextValue>(() => ({ form, update, clearErrors, errors, regions, categories }), [form, update, clearErrors, errors, regions, categories]);

  /** Puts details at the fields rendered now, and lists them all in the summary (which takes focus). */
  const showDetails = (details: Detail[], note: string) => {
    const fields = [...(formRef.current?.querySelectorAll('[data-field]') ?? [])];
    const byPath = new Map(fields.map((el) => [el.getAttribute('data-field') ?? '', el]));
    const assigned = assignErrors(details, byPath.keys());
    const fieldOf = new Map<Detail, string>();
    for (const [field, list] of Object.entries(assigned.byField)) for (const detail of list) fieldOf.set(detail, field);
    setErrors(assigned.byField);
    // listed in the order of the form (as a person reads it), problems without a field last
    const order = new Map(fields.map((el, i) => [el.getAttribute('data-field') ?? '', i]));
    const position = (field: string | undefined) => (field === undefined ? fields.length : (order.get(field) ?? fields.length));
    const items = details.map((detail) => {
      const field = fieldOf.get(detail);
      const element = field !== undefined ? byPath.get(field) : undefined;
      return { path: detail.path, message: detail.message, field, label: element ? labelOf(element) : undefined };
    });
    setSummary({ note, items: items.sort((a, b) => position(a.field) - position(b.field)) });
  };

  const resetMessages = () => {
    setNotice(null);
    setProblem(null);
    setStale(false);
    setSummary(null);
  };

  /** Saves the draft; answers the offer id when it is stored, undefined when it was refused. */
  const save = async (): Promise<string | undefined> => {
    const id = savedId ?? form.id.trim();
    if (isNew) {
      if (!OFFER_ID.test(id)) {
        showDetails([{ path: 'id', message: t('errors.idPattern') }], t('summary.nothingSaved'));
        return undefined;
      }
    }
    const doc = documentFromForm(isNew ? { ...form, id } : form);
    try {
      const answer = await request<DraftSaved>('PUT', offerPath(publisherId, id), {
        body: doc,
        // PUT creates or replaces: a new offer is created only if its id is free (412 otherwise)
        headers: isNew ? { 'if-none-match': '*' } : etag ? { 'if-match': etag.startsWith('"') ? etag : `"${etag}"` } : {},
      });
      setEtag(answer.headers.get('etag') ?? answer.data.etag);
      if (answer.data.leadSecret) setGeneratedSecret(answer.data.leadSecret);
      setDirty(false);
      setErrors({});
      setNotice(answer.status === 201 ? t('saved.created', { id }) : t('saved.updated'));
      if (isNew) {
        setSavedId(id);
        // the address becomes the offer's edit page without remounting this form (state, notice, focus stay)
        window.history.replaceState(null, '', `/portal/offers/${encodeURIComponent(id)}/edit`);
      }
      return id;
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.details.length > 0) showDetails(error.details, t('summary.nothingSaved'));
      else if (error instanceof ApiError && error.status === 412 && isNew) showDetails([{ path: 'id', message: t('errors.idTaken', { id }) }], t('summary.nothingSaved'));
      else if (error instanceof ApiError && error.status === 412) setStale(true);
      else setProblem(error);
      return undefined;
    }
  };

  const onSave = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    resetMessages();
    setBusy('save');
    try {
      await save();
    } finally {
      setBusy(null);
    }
  };

  const onPublish = async () => {
    if (busy) return;
    resetMessages();
    setBusy('publish');
    try {
      const id = isNew || dirty ? await save() : savedId;
      if (id === undefined) return;
      setNotice(null);
      try {
        await request('POST', `${offerPath(publisherId, id)}/publish`);
        setDirty(false);
        navigate(`/portal/offers/${encodeURIComponent(id)}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 422 && error.details.length > 0) showDetails(error.details, t('summary.publishRefused'));
        else setProblem(error);
      }
    } finally {
      setBusy(null);
    }
  };

  const title = form.listing.title.trim() || savedId || '';
  return (
    <EditorContext.Provider value={context}>
      <section className="offer-editor">
        <p className="editor-back">
          <Link to="/portal">← {t('backToOffers')}</Link>
        </p>
        <div className="editor-head">
          <h1>{isNew ? t('titleNew') : t('titleEdit', { title })}</h1>
          {loaded && <StatusBadge status={loaded.slot.status} />}
          {!isNew && <Link to={`/portal/offers/${encodeURIComponent(savedId)}`}>{t('publishingLink')}</Link>}
        </div>
        <p className="muted">{t('intro')}</p>
        {marketError ? <p className="notice notice-warn">{t('marketUnavailable')}</p> : null}
        {notice && (
          <p className="notice notice-ok" role="status">
            {notice}
          </p>
        )}
        {summary && <ErrorSummary ref={summaryRef} items={summary.items} note={summary.note} />}
        {stale && (
          <div ref={problemRef} tabIndex={-1} className="notice notice-error" role="alert">
            <p>
              <strong>{t('common:errors.PRECONDITION_FAILED')}</strong>
            </p>
            <button type="button" onClick={onReload}>
              {t('reload')}
            </button>
          </div>
        )}
        {problem ? (
          <div ref={problemRef} tabIndex={-1}>
            <ErrorMessage error={problem} />
          </div>
        ) : null}
        <form ref={formRef} onSubmit={(event) => void onSave(event)} noValidate aria-label={t('formLabel')}>
          <IdentitySection isNew={isNew} />
          <ListingSection />
          <div className="editor-columns">
            <AudienceSection />
            <LeadsSection publisherId={publisherId} offerId={savedId} generatedSecret={generatedSecret} />
          </div>
          <TestDriveSection />
          <PlansSection />
          <div className="editor-actions">
            <span className="muted editor-state" role="status">
              {busy === 'save' ? t('saving') : busy === 'publish' ? t('publishing') : dirty ? t('unsaved') : isNew ? t('notSavedYet') : t('allSaved')}
            </span>
            <button type="submit" disabled={busy !== null}>
              {t('save')}
            </button>
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void onPublish()}>
              {t('publish')}
            </button>
          </div>
        </form>
      </section>
    </EditorContext.Provider>
  );
}
