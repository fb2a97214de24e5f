/** The optional test drive: where it runs, how many instances wait warm, for how long, the manual. */
import { useTranslation } from 'react-i18next';
import { CheckboxField, ChecksField, TextField, useEditor } from './controls.tsx';

/** The two counts, side by side: one numeric field each. */
const NUMBERS = ['hotInstances', 'durationHours'] as const;

export function TestDriveSection() {
  const { t } = useTranslation('editor');
  const { form, regions } = useEditor();
  const td = form.testDrive;
  return (
    <fieldset>
      <legend>{t('testDrive.legend')}</legend>
      <CheckboxField path="testDrive.enabled" label={t('testDrive.enabled')} hint={t('testDrive.enabledHint')} checked={td.enabled} set={(f, v) => (f.testDrive.enabled = v)} />
      {td.enabled && (
        <>
          <ChecksField
            path="testDrive.regions"
            label={t('testDrive.regions')}
            hint={t('testDrive.regionsHint')}
            required
            choices={regions}
            value={td.regions}
            set={(f, v) => (f.testDrive.regions = v)}
          />
          <div className="grid-2">
            {NUMBERS.map((key) => (
              <TextField
                key={key}
                path={`testDrive.${key}`}
                label={t(`testDrive.${key}`)}
                hint={t(`testDrive.${key}Hint`)}
                inputMode="numeric"
                value={td[key]}
                set={(f, v) => (f.testDrive[key] = v)}
              />
            ))}
          </div>
          <TextField
            path="testDrive.userManualUrl"
            label={t('testDrive.userManualUrl')}
            hint={t('httpsHint')}
            type="url"
            required
            value={td.userManualUrl}
            set={(f, v) => (f.testDrive.userManualUrl = v)}
          />
        </>
      )}
    </fieldset>
  );
}
