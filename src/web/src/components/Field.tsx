/**
 * A labelled form control with its hint and its error. The control gets the id, `aria-invalid`
 * and `aria-describedby`, so screen readers read the error with the field; `data-field` carries
 * the API path (e.g. `plans[0].regions`) that 422 details name, so errors land at their field.
 */
import { cloneElement, type ReactElement, type ReactNode } from 'react';

interface FieldProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | string[];
  /** The API path of this value, for matching validation details. */
  path?: string;
  required?: boolean;
  children: ReactElement<Record<string, unknown>>;
}

export function Field({ id, label, hint, error, path, required, children }: FieldProps) {
  const errors = (Array.isArray(error) ? error : error ? [error] : []).filter(Boolean);
  const describedBy = [hint ? `${id}-hint` : null, errors.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, {
    id,
    'aria-invalid': errors.length ? true : undefined,
    'aria-describedby': describedBy,
    required: required || undefined,
  });
  return (
    <div className={`field${errors.length ? ' field-invalid' : ''}`} data-field={path}>
      <label htmlFor={id}>
        {label}
      </label>
      {control}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <ul id={`${id}-error`} className="field-error">
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
