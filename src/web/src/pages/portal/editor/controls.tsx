/**
 * The editor's controls. Each goes through `Field` with `path` = the API path it edits, so a 422
 * detail for that path is shown at it (and `aria-invalid` set on the control); the errors and the
 * update function come from the editor's context.
 */
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../../components/Field.tsx';
import { type Detail, fieldId, itemOf } from './field-errors.ts';
import { type EditorForm, parseList } from './model.ts';

export interface Choice {
  value: string;
  label: string;
}

export interface EditorContextValue {
  form: EditorForm;
  /** Applies a change to a copy of the form; `path` is the field it edits (its errors are cleared). */
  update(mutate: (form: EditorForm) => void, path?: string): void;
  /** Clears every field error (rows were added or removed, so indexes moved). */
  clearErrors(): void;
  errors: Record<string, Detail[]>;
  /** The operator's regions and categories; null when the marketplace facts are unavailable. */
  regions: Choice[] | null;
  categories: Choice[] | null;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const editor = useContext(EditorContext);
  if (!editor) throw new Error('useEditor outside the offer editor');
  return editor;
}

/** The messages of a field, saying which item when a detail is about an item inside it. */
function useFieldErrors(path: string): string[] {
  const { t } = useTranslation('editor');
  const { errors } = useEditor();
  return (errors[path] ?? []).map((detail) => {
    const item = itemOf(path, detail.path);
    if (!item) return detail.message;
    if ('index' in item) return t('errors.item', { n: item.index + 1, message: detail.message });
    return `${item.key}: ${detail.message}`;
  });
}

interface BaseProps {
  path: string;
  label: ReactNode;
  hint?: ReactNode;
  required?: boolean;
}

interface TextProps extends BaseProps {
  value: string;
  set(form: EditorForm, value: string): void;
  type?: 'text' | 'email' | 'url' | 'tel';
  multiline?: boolean;
  rows?: number;
  readOnly?: boolean;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'decimal';
  /** Shows "n / max characters" as the hint (the server enforces the limit). */
  maxChars?: number;
}

export function TextField({ path, label, hint, required, value, set, type = 'text', multiline, rows, readOnly, placeholder, autoComplete, inputMode, maxChars }: TextProps) {
  const { t } = useTranslation('editor');
  const { update } = useEditor();
  const errors = useFieldErrors(path);
  const change = (next: string) => update((form) => set(form, next), path);
  const count = maxChars ? t('chars', { n: value.length, max: maxChars }) : null;
  const fullHint = hint && count ? (
    <>
      {hint} · {count}
    </>
  ) : (
    hint ?? count ?? undefined
  );
  return (
    <Field id={fieldId(path)} path={path} label={label} hint={fullHint} error={errors} required={required}>
      {multiline ? (
        <textarea value={value} rows={rows ?? 5} readOnly={readOnly} placeholder={placeholder} onChange={(e) => change(e.target.value)} />
      ) : (
        <input
          type={type}
          value={value}
          readOnly={readOnly}
          placeholder={placeholder}
          autoComplete={autoComplete ?? 'off'}
          inputMode={inputMode}
          spellCheck={type === 'text' && !inputMode ? undefined : false}
          onChange={(e) => change(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A Markdown description (of the listing, of a plan): required, at most 3,000 characters, with the Markdown hint. */
export function DescriptionField({ path, label, rows, value, set }: Pick<TextProps, 'path' | 'label' | 'rows' | 'value' | 'set'>) {
  const { t } = useTranslation('editor');
  return <TextField path={path} label={label} hint={t('listing.descriptionHint')} required multiline rows={rows} maxChars={3000} value={value} set={set} />;
}

interface SelectProps extends BaseProps {
  value: string;
  choices: Choice[];
  set(form: EditorForm, value: string): void;
}

export function SelectField({ path, label, hint, required, value, choices, set }: SelectProps) {
  const { update } = useEditor();
  const errors = useFieldErrors(path);
  const known = choices.some((c) => c.value === value);
  return (
    <Field id={fieldId(path)} path={path} label={label} hint={hint} error={errors} required={required}>
      <select value={value} onChange={(e) => update((form) => set(form, e.target.value), path)}>
        {!known && <option value={value}>{value}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

interface ListProps extends BaseProps {
  value: string[];
  set(form: EditorForm, value: string[]): void;
  placeholder?: string;
}

/**
 * A list typed as "a, b, c". The text is kept as typed (a trailing ", " survives) and replaced
 * only when the list changes from outside (a reload).
 */
export function ListField({ path, label, hint, required, value, set, placeholder }: ListProps) {
  const { t } = useTranslation('editor');
  const { update } = useEditor();
  const errors = useFieldErrors(path);
  const [text, setText] = useState(value.join(', '));
  useEffect(() => {
    if (parseList(text).join('\n') !== value.join('\n')) setText(value.join(', '));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <Field id={fieldId(path)} path={path} label={label} hint={hint ?? t('listHint')} error={errors} required={required}>
      <input
        type="text"
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        onChange={(e) => {
          setText(e.target.value);
          const next = parseList(e.target.value);
          update((form) => set(form, next), path);
        }}
      />
    </Field>
  );
}

interface ChecksProps extends BaseProps {
  value: string[];
  /** null: the choices are unknown (marketplace facts unavailable), so the list is typed instead. */
  choices: Choice[] | null;
  set(form: EditorForm, value: string[]): void;
}

function CheckboxGroup({
  id,
  name,
  label,
  choices,
  value,
  onToggle,
  required: _required,
  ...aria
}: {
  id?: string;
  name: string;
  label: string;
  choices: Choice[];
  value: string[];
  onToggle(value: string, on: boolean): void;
  required?: boolean;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  return (
    <div id={id} role="group" aria-label={label} className="editor-checks" {...aria}>
      {choices.map((choice, i) => (
        <label key={choice.value} className="editor-check">
          <input type="checkbox" name={name} id={`${id}-${i}`} checked={value.includes(choice.value)} onChange={(e) => onToggle(choice.value, e.target.checked)} />
          <span>{choice.label}</span>
        </label>
      ))}
    </div>
  );
}

/** Several of a known set (regions, categories) as checkboxes, in the order the choices come. */
export function ChecksField({ path, label, hint, required, value, choices, set }: ChecksProps) {
  const { t } = useTranslation('editor');
  const { update } = useEditor();
  const errors = useFieldErrors(path);
  if (!choices) return <ListField path={path} label={label} hint={hint} required={required} value={value} set={set} />;
  // values the draft has that the marketplace does not offer stay visible, so they can be unticked
  const all = [...choices, ...value.filter((v) => !choices.some((c) => c.value === v)).map((v) => ({ value: v, label: t('unknownChoice', { value: v }) }))];
  const toggle = (item: string, on: boolean) =>
    update((form) => set(form, on ? all.map((c) => c.value).filter((v) => v === item || value.includes(v)) : value.filter((v) => v !== item)), path);
  return (
    <Field id={fieldId(path)} path={path} label={label} hint={hint} error={errors} required={required}>
      <CheckboxGroup name={path} label={typeof label === 'string' ? label : path} choices={all} value={value} onToggle={toggle} />
    </Field>
  );
}

interface CheckboxProps extends BaseProps {
  checked: boolean;
  set(form: EditorForm, checked: boolean): void;
}

export function CheckboxField({ path, label, hint, checked, set }: CheckboxProps) {
  const { update } = useEditor();
  const errors = useFieldErrors(path);
  return (
    <div className="editor-check-field">
      <Field id={fieldId(path)} path={path} label={label} hint={hint} error={errors}>
        <input type="checkbox" checked={checked} onChange={(e) => update((form) => set(form, e.target.checked), path)} />
      </Field>
    </div>
  );
}

/**
 * The errors about a list as a whole ("needs at least one plan"), and the anchor for details no
 * control inside the list takes. Not a control itself: the summary's link focuses the first
 * control inside `data-field`.
 */
export function GroupErrors({ path, children }: { path: string; children?: ReactNode }) {
  const errors = useFieldErrors(path);
  return (
    <div data-field={path} className={errors.length ? 'editor-group-errors editor-group-invalid' : 'editor-group-errors'}>
      {errors.length > 0 && (
        <ul id={`${fieldId(path)}-error`} className="field-error">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}
