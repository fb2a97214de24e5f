/** Where the leads of customers who get the offer go, with the settings of that destination. */
import { useTranslation } from 'react-i18next';
import { ListField, SelectField, TextField, useEditor } from './controls.tsx';
import { LEAD_DESTINATIONS } from './model.ts';

export function LeadsSection() {
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
          <TextField path="leads.https.secretRef" label={t('leads.secretRef')} hint={t('leads.secretRefHint')} required value={leads.secretRef} set={(f, v) => (f.leads.secretRef = v)} />
        </>
      )}
      {leads.destination === 'email' && (
        <ListField path="leads.email.to" label={t('leads.emailTo')} hint={t('leads.emailToHint')} required value={leads.emailTo} set={(f, v) => (f.leads.emailTo = v)} />
      )}
    </fieldset>
  );
}
