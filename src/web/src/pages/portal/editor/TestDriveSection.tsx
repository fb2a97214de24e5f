/** The optional test drive: where it runs, how many instances wait warm, for how long, the manual. */
import { useTranslation } from 'react-i18next';
import { CheckboxField, ChecksField, TextField, useEditor } from './controls.tsx';

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
            <TextField
              path="testDrive.hotInstances"
              label={t('testDrive.hotInstances')}
              hint={t('testDrive.hotInstancesHint')}
              inputMode="numeric"
              value={td.hotInstances}
              set={(f, v) => (f.testDrive.hotInstances = v)}
            />
            <TextField
              path="testDrive.durationHours"
              label={t('testDrive.durationHours')}
              hint={t('testDrive.durationHoursHint')}
              inputMode="numeric"
              value={td.durationHours}
              set={(f, v) => (f.testDrive.durationHours = v)}
            />
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
