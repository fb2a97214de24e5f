/** Who sees the offer before it goes live: subscription ids (GUIDs), one row each. */
import { useTranslation } from 'react-i18next';
import { GroupErrors, TextField, useEditor } from './controls.tsx';
import { focusFieldSoon } from './focus.ts';

export function AudienceSection() {
  const { t } = useTranslation('editor');
  const { form, update, clearErrors } = useEditor();
  const add = () => {
    update((f) => void f.previewAudience.push(''));
    focusFieldSoon(`previewAudience[${form.previewAudience.length}]`);
  };
  const remove = (index: number) => {
    update((f) => void f.previewAudience.splice(index, 1));
    clearErrors();
  };
  return (
    <fieldset>
      <legend>{t('audience.legend')}</legend>
      <p className="hint">{t('audience.intro')}</p>
      <GroupErrors path="previewAudience">
        {form.previewAudience.length === 0 && <p className="muted">{t('audience.none')}</p>}
        <ul className="editor-rows">
          {form.previewAudience.map((guid, i) => (
            <li key={i} className="editor-row">
              <TextField
                path={`previewAudience[${i}]`}
                label={t('audience.subscription', { n: i + 1 })}
                placeholder="00000000-0000-0000-0000-000000000000"
                value={guid}
                set={(f, v) => (f.previewAudience[i] = v)}
              />
              <button type="button" className="editor-remove" onClick={() => remove(i)}>
                {t('remove')}
                <span className="visually-hidden"> {t('audience.subscription', { n: i + 1 })}</span>
              </button>
            </li>
          ))}
        </ul>
      </GroupErrors>
      <button type="button" onClick={add}>
        {t('audience.add')}
      </button>
    </fieldset>
  );
}
