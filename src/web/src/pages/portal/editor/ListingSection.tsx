/** The offer's identity and its listing: texts, categories, links and the two contacts. */
import { useDeferredValue } from 'react';
import { useTranslation } from 'react-i18next';
import { renderMarkdown } from '../../../markdown.ts';
import { ChecksField, DescriptionField, ListField, TextField, useEditor } from './controls.tsx';

export function IdentitySection({ isNew }: { isNew: boolean }) {
  const { t } = useTranslation('editor');
  const { form } = useEditor();
  return (
    <fieldset>
      <legend>{t('identity.legend')}</legend>
      <div className="grid-2">
        <TextField
          path="id"
          label={t('identity.id')}
          hint={isNew ? t('identity.idHint') : t('identity.idFixed')}
          required={isNew}
          readOnly={!isNew}
          value={form.id}
          set={(f, v) => (f.id = v)}
        />
        <TextField path="publisher" label={t('identity.publisher')} hint={t('identity.publisherHint')} readOnly value={form.publisher} set={() => undefined} />
      </div>
    </fieldset>
  );
}

/** The description as typed next to what customers will see (rendered without scripts). */
function DescriptionPreview({ source }: { source: string }) {
  const { t } = useTranslation('editor');
  const deferred = useDeferredValue(source);
  return (
    <section className="editor-preview" aria-labelledby="offer-description-preview">
      <h3 id="offer-description-preview" className="editor-preview-title">
        {t('listing.preview')}
      </h3>
      {deferred.trim() ? (
        <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(deferred) }} />
      ) : (
        <p className="muted">{t('listing.previewEmpty')}</p>
      )}
    </section>
  );
}

export function ListingSection() {
  const { t } = useTranslation('editor');
  const { form, categories } = useEditor();
  const { listing } = form;
  return (
    <fieldset>
      <legend>{t('listing.legend')}</legend>
      <TextField path="listing.title" label={t('listing.title')} required maxChars={50} value={listing.title} set={(f, v) => (f.listing.title = v)} />
      <TextField path="listing.summary" label={t('listing.summary')} required maxChars={100} value={listing.summary} set={(f, v) => (f.listing.summary = v)} />
      <div className="editor-description">
        <DescriptionField path="listing.description" label={t('listing.description')} rows={10} value={listing.description} set={(f, v) => (f.listing.description = v)} />
        <DescriptionPreview source={listing.description} />
      </div>
      <ChecksField
        path="listing.categories"
        label={t('listing.categories')}
        hint={t('listing.categoriesHint')}
        required
        choices={categories}
        value={listing.categories}
        set={(f, v) => (f.listing.categories = v)}
      />
      <ListField path="listing.keywords" label={t('listing.keywords')} value={listing.keywords} set={(f, v) => (f.listing.keywords = v)} />
      <TextField
        path="listing.privacyUrl"
        label={t('listing.privacyUrl')}
        hint={t('httpsHint')}
        type="url"
        required
        value={listing.privacyUrl}
        set={(f, v) => (f.listing.privacyUrl = v)}
      />
      <TextField path="listing.termsOfUse" label={t('listing.termsOfUse')} required multiline rows={4} value={listing.termsOfUse} set={(f, v) => (f.listing.termsOfUse = v)} />
      <div className="grid-2 editor-contacts">
        <ContactFieldset kind="support" />
        <ContactFieldset kind="engineering" />
      </div>
    </fieldset>
  );
}

/** One of the listing's two contacts; only support has a website. */
function ContactFieldset({ kind }: { kind: 'support' | 'engineering' }) {
  const { t } = useTranslation('editor');
  const { form } = useEditor();
  const contact = form.listing[kind];
  const path = `listing.${kind}`;
  return (
    <fieldset>
      <legend>{t(`contact.${kind}`)}</legend>
      <TextField path={`${path}.name`} label={t('contact.name')} required value={contact.name} set={(f, v) => (f.listing[kind].name = v)} />
      <TextField path={`${path}.email`} label={t('contact.email')} type="email" required value={contact.email} set={(f, v) => (f.listing[kind].email = v)} />
      <TextField path={`${path}.phone`} label={t('contact.phone')} hint={t('optional')} type="tel" value={contact.phone} set={(f, v) => (f.listing[kind].phone = v)} />
      {kind === 'support' && (
        <TextField path={`${path}.url`} label={t('contact.url')} hint={t('optional')} type="url" value={form.listing.support.url} set={(f, v) => (f.listing.support.url = v)} />
      )}
    </fieldset>
  );
}
