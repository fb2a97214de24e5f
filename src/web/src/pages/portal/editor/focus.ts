/** Moving keyboard focus to a field by its API path (after adding a row, from the error summary). */
import { fieldId } from './field-errors.ts';

const FOCUSABLE = 'input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/** Focuses the control of the field with this path, or the first control inside it (groups). */
export function focusField(path: string, root: ParentNode = document): boolean {
  const byId = document.getElementById(fieldId(path));
  const field = root.querySelector(`[data-field="${CSS.escape(path)}"]`);
  const target = byId?.matches(FOCUSABLE) ? byId : (field?.querySelector<HTMLElement>(FOCUSABLE) ?? null);
  if (!target) return false;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: 'center' });
  return true;
}

/** Focuses a field once React has rendered it (a row just added). */
export function focusFieldSoon(path: string): void {
  requestAnimationFrame(() => focusField(path));
}
