/**
 * The plans: what each sells (texts, OS, regions, sizes, ports, price) and its image versions
 * with their OS disk and data disks. Rows can be added and removed; removing one clears the
 * field errors, whose indexes no longer name the same rows.
 */
import { useTranslation } from 'react-i18next';
import { ChecksField, DescriptionField, GroupErrors, ListField, SelectField, TextField, useEditor } from './controls.tsx';
import { focusFieldSoon } from './focus.ts';
import { emptyImage, emptyPlan, OS_FAMILIES, PRICING_MODELS, PROTOCOLS, type PlanForm } from './model.ts';

function RemoveButton({ label, onClick }: { label: string; onClick(): void }) {
  const { t } = useTranslation('editor');
  return (
    <button type="button" className="editor-remove" onClick={onClick}>
      {t('remove')}
      <span className="visually-hidden"> {label}</span>
    </button>
  );
}

function OpenPorts({ plan, p }: { plan: PlanForm; p: number }) {
  const { t } = useTranslation('editor');
  const { update, clearErrors } = useEditor();
  const at = `plans[${p}].openPorts`;
  return (
    <fieldset>
      <legend>{t('ports.legend')}</legend>
      <GroupErrors path={at}>
        {plan.openPorts.length === 0 && <p className="muted">{t('ports.none')}</p>}
        <ul className="editor-rows">
          {plan.openPorts.map((port, i) => {
            const row = t('ports.row', { n: i + 1 });
            return (
              <li key={i} className="editor-row editor-row-ports">
                <SelectField
                  path={`${at}[${i}].protocol`}
                  label={<RowLabel row={row} text={t('ports.protocol')} />}
                  value={port.protocol}
                  choices={PROTOCOLS.map((v) => ({ value: v, label: v.toUpperCase() }))}
                  set={(f, v) => (f.plans[p].openPorts[i].protocol = v)}
                />
                <TextField
                  path={`${at}[${i}].port`}
                  label={<RowLabel row={row} text={t('ports.port')} />}
                  inputMode="numeric"
                  value={port.port}
                  set={(f, v) => (f.plans[p].openPorts[i].port = v)}
                />
                <RemoveButton
                  label={row}
                  onClick={() => {
                    update((f) => void f.plans[p].openPorts.splice(i, 1));
                    clearErrors();
                  }}
                />
              </li>
            );
          })}
        </ul>
      </GroupErrors>
      <button
        type="button"
        onClick={() => {
          update((f) => void f.plans[p].openPorts.push({ protocol: 'tcp', port: '' }));
          focusFieldSoon(`${at}[${plan.openPorts.length}].port`);
        }}
      >
        {t('ports.add')}
      </button>
    </fieldset>
  );
}

/** A row's field label: the row ("Port 2") is read by screen readers, the column name is shown. */
function RowLabel({ row, text }: { row: string; text: string }) {
  return (
    <>
      <span className="visually-hidden">{row}: </span>
      {text}
    </>
  );
}

function Images({ plan, p }: { plan: PlanForm; p: number }) {
  const { t } = useTranslation('editor');
  const { update, clearErrors } = useEditor();
  const at = `plans[${p}].images`;
  return (
    <fieldset>
      <legend>{t('images.legend')}</legend>
      <p className="hint">{t('images.intro')}</p>
      <GroupErrors path={at}>
        {plan.images.map((image, i) => {
          const imageAt = `${at}[${i}]`;
          const title = t('images.image', { n: i + 1, version: image.version || '…' });
          return (
            <fieldset key={i} className="editor-image">
              <legend>{title}</legend>
              <div className="editor-image-main">
                <TextField path={`${imageAt}.version`} label={t('images.version')} hint={t('images.versionHint')} required value={image.version} set={(f, v) => (f.plans[p].images[i].version = v)} />
                <TextField
                  path={`${imageAt}.osDisk`}
                  label={t('images.osDisk')}
                  hint={t('images.sourceHint')}
                  required
                  value={image.osDisk}
                  set={(f, v) => (f.plans[p].images[i].osDisk = v)}
                />
              </div>
              <GroupErrors path={`${imageAt}.dataDisks`}>
                {image.dataDisks.length > 0 && (
                  <ul className="editor-rows">
                    {image.dataDisks.map((disk, d) => {
                      const row = t('images.dataDisk', { n: d + 1 });
                      return (
                        <li key={d} className="editor-row editor-row-disks">
                          <TextField
                            path={`${imageAt}.dataDisks[${d}].lun`}
                            label={<RowLabel row={row} text={t('images.lun')} />}
                            inputMode="numeric"
                            value={disk.lun}
                            set={(f, v) => (f.plans[p].images[i].dataDisks[d].lun = v)}
                          />
                          <TextField
                            path={`${imageAt}.dataDisks[${d}].source`}
                            label={<RowLabel row={row} text={t('images.dataSource')} />}
                            value={disk.source}
                            set={(f, v) => (f.plans[p].images[i].dataDisks[d].source = v)}
                          />
                          <RemoveButton
                            label={`${title}, ${row}`}
                            onClick={() => {
                              update((f) => void f.plans[p].images[i].dataDisks.splice(d, 1));
                              clearErrors();
                            }}
                          />
                        </li>
                      );
                    })}
                  </ul>
                )}
              </GroupErrors>
              <div className="actions">
                <button
                  type="button"
                  onClick={() => {
                    update((f) => void f.plans[p].images[i].dataDisks.push({ lun: String(image.dataDisks.length), source: '' }));
                    focusFieldSoon(`${imageAt}.dataDisks[${image.dataDisks.length}].source`);
                  }}
                >
                  {t('images.addDataDisk')}
                </button>
                {plan.images.length > 1 && (
                  <RemoveButton
                    label={title}
                    onClick={() => {
                      update((f) => void f.plans[p].images.splice(i, 1));
                      clearErrors();
                    }}
                  />
                )}
              </div>
            </fieldset>
          );
        })}
      </GroupErrors>
      <button
        type="button"
        onClick={() => {
          update((f) => void f.plans[p].images.push(emptyImage()));
          focusFieldSoon(`${at}[${plan.images.length}].version`);
        }}
      >
        {t('images.add')}
      </button>
    </fieldset>
  );
}

function PlanFields({ plan, p, count }: { plan: PlanForm; p: number; count: number }) {
  const { t } = useTranslation('editor');
  const { update, clearErrors, regions } = useEditor();
  const at = `plans[${p}]`;
  const title = t('plans.plan', { n: p + 1, id: plan.id || '…' });
  return (
    <fieldset className="editor-plan">
      <legend>{title}</legend>
      <div className="grid-2">
        <TextField path={`${at}.id`} label={t('plans.id')} hint={t('plans.idHint')} required value={plan.id} set={(f, v) => (f.plans[p].id = v)} />
        <TextField path={`${at}.title`} label={t('plans.title')} required maxChars={50} value={plan.title} set={(f, v) => (f.plans[p].title = v)} />
      </div>
      <TextField path={`${at}.summary`} label={t('plans.summary')} required maxChars={100} value={plan.summary} set={(f, v) => (f.plans[p].summary = v)} />
      <DescriptionField path={`${at}.description`} label={t('plans.description')} rows={4} value={plan.description} set={(f, v) => (f.plans[p].description = v)} />
      <fieldset>
        <legend>{t('os.legend')}</legend>
        <div className="editor-os">
          <SelectField
            path={`${at}.os.family`}
            label={t('os.family')}
            value={plan.os.family}
            choices={OS_FAMILIES.map((v) => ({ value: v, label: t(`os.families.${v}`) }))}
            set={(f, v) => (f.plans[p].os.family = v)}
          />
          <TextField path={`${at}.os.type`} label={t('os.type')} hint={t('os.typeHint')} required value={plan.os.type} set={(f, v) => (f.plans[p].os.type = v)} />
          <TextField path={`${at}.os.name`} label={t('os.name')} hint={t('os.nameHint')} required value={plan.os.name} set={(f, v) => (f.plans[p].os.name = v)} />
        </div>
      </fieldset>
      <ChecksField path={`${at}.regions`} label={t('plans.regions')} hint={t('plans.regionsHint')} required choices={regions} value={plan.regions} set={(f, v) => (f.plans[p].regions = v)} />
      <ListField
        path={`${at}.recommendedSizes`}
        label={t('plans.recommendedSizes')}
        hint={t('plans.recommendedSizesHint')}
        value={plan.recommendedSizes}
        set={(f, v) => (f.plans[p].recommendedSizes = v)}
      />
      <OpenPorts plan={plan} p={p} />
      <fieldset>
        <legend>{t('pricing.legend')}</legend>
        <div className="grid-2">
          <SelectField
            path={`${at}.pricing.model`}
            label={t('pricing.model')}
            value={plan.pricing.model}
            choices={PRICING_MODELS.map((v) => ({ value: v, label: t(`pricing.models.${v}`) }))}
            set={(f, v) => (f.plans[p].pricing.model = v)}
          />
          {plan.pricing.model === 'hourly' && (
            <TextField
              path={`${at}.pricing.hourlyUsd`}
              label={t('pricing.hourlyUsd')}
              hint={t('pricing.hourlyUsdHint')}
              required
              inputMode="decimal"
              value={plan.pricing.hourlyUsd}
              set={(f, v) => (f.plans[p].pricing.hourlyUsd = v)}
            />
          )}
        </div>
      </fieldset>
      <Images plan={plan} p={p} />
      {count > 1 && (
        <div className="actions">
          <RemoveButton
            label={title}
            onClick={() => {
              update((f) => void f.plans.splice(p, 1));
              clearErrors();
            }}
          />
        </div>
      )}
    </fieldset>
  );
}

export function PlansSection() {
  const { t } = useTranslation('editor');
  const { form, update } = useEditor();
  return (
    <section aria-labelledby="offer-plans-heading">
      <h2 id="offer-plans-heading">{t('plans.heading')}</h2>
      <GroupErrors path="plans">
        {form.plans.map((plan, p) => (
          <PlanFields key={p} plan={plan} p={p} count={form.plans.length} />
        ))}
      </GroupErrors>
      <button
        type="button"
        onClick={() => {
          update((f) => void f.plans.push(emptyPlan()));
          focusFieldSoon(`plans[${form.plans.length}].id`);
        }}
      >
        {t('plans.add')}
      </button>
    </section>
  );
}
