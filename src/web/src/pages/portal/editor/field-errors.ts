/**
 * Puts 422 details (`{path, message}`, paths like `plans[0].regions[1]`) at the editor's fields.
 * A detail goes to the field with exactly its path, else to the nearest enclosing field
 * (`plans[0].regions[1]` → the `plans[0].regions` checkboxes); what has no field left is listed
 * only in the summary. Pure, so it is tested without a browser.
 */

export interface Detail {
  path: string;
  message: string;
}

export interface AssignedErrors {
  /** The details per field path (a detail may be about an item inside the field). */
  byField: Record<string, Detail[]>;
  /** Details no field encloses. */
  unmatched: Detail[];
}

/** `a.b` encloses `a.b`, `a.b.c` and `a.b[0]`, but not `a.bc`. */
export function encloses(field: string, path: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

export function assignErrors(details: readonly Detail[], fieldPaths: Iterable<string>): AssignedErrors {
  const fields = [...new Set(fieldPaths)].filter((p) => p !== '');
  const byField: Record<string, Detail[]> = {};
  const unmatched: Detail[] = [];
  for (const detail of details) {
    let best: string | undefined;
    for (const field of fields) if (encloses(field, detail.path) && (best === undefined || field.length > best.length)) best = field;
    if (best === undefined) {
      unmatched.push(detail);
      continue;
    }
    const list = (byField[best] ??= []);
    if (!list.some((d) => d.path === detail.path && d.message === detail.message)) list.push(detail);
  }
  return { byField, unmatched };
}

/**
 * Where inside its field a detail points: `[2]` of `listing.keywords[2]` is the third item (2),
 * `plans[0].pricing.hourlyUsd` under `plans[0].pricing` is `hourlyUsd`; null for the field itself.
 */
export function itemOf(field: string, path: string): { index: number } | { key: string } | null {
  if (path === field) return null;
  const rest = path.slice(field.length);
  const index = /^\[(\d+)\]/.exec(rest);
  if (index) return { index: Number(index[1]) };
  return { key: rest.replace(/^\./, '') };
}

/** A DOM id for a field path: `plans[0].images[1].osDisk` → `offer-plans-0-images-1-osDisk`. */
export function fieldId(path: string): string {
  return `offer-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;
}
