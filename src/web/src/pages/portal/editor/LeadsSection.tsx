/**
 * Where the leads of customers who get the offer go, with the settings of that destination; for
 * https, the signing secret the marketplace generates (LeadSecretPanel), once the offer exists.
 */
import { useTranslation } from 'react-i18next';
import type { LeadSecretShown } from '../../../../../contracts/index.ts';
import { ListField, SelectField, TextField, useEditor } from './controls.tsx';
import { LeadSecretPanel } from './LeadSecretPanel.tsx';
import { LEAD_DESTINATIONS } from './model.ts';

interface Props {
  publisherId: string;
  /** The offer once it is saved (a new offer has no secret to show yet). */
  offerId?: string;
  /** The secret the last save generated, shown once. */
  generatedSecret: LeadSecretShown | null;
}

export function LeadsSection({ publisherId, offerId, generatedSecret }: Props) {
  const { t } = useTranslation('editor');
  const { form } = useEditor();
  const { leads } = form;
  return (
    <fieldset>
      <legend>{t('leads.legend')}</legend>
      <SelectField
        path="leads.destination"
        label={t('leads.destination')}
        hint={t(`leads.destinationHint.${leads.destination}`, { defaultValue: '' }) || undefined}
        value={leads.destination}
        choices={LEAD_DESTINATIONS.map((d) => ({ value: d, label: t(`leads.destinations.${d}`) }))}
        set={(f, v) => (f.leads.destination = v)}
      />
      {leads.destination === 'https' && (
        <>
          <TextField path="leads.https.url" label={t('leads.httpsUrl')} hint={t('httpsHint')} type="url" required value={leads.httpsUrl} set={(f, v) => (f.leads.httpsUrl = v)} />
          {offerId ? <LeadSecretPanel publisherId={publisherId} offerId={offerId} generated={generatedSecret} /> : <p className="muted">{t('leads.secret.afterSave')}</p>}
        </>
      )}
      {leads.destination === 'email' && (
        <ListField path="leads.email.to" label={t('leads.emailTo')} hint={t('leads.emailToHint')} required value={leads.emailTo} set={(f, v) => (f.leads.emailTo = v)} />
      )}
    </fieldset>
  );
}
