/**
 * A timestamp column as ISO 8601, or null. Takes `unknown` because the schema's generated
 * timestamp columns type as a nested ColumnType while drivers hand back a Date (or a string).
 */
export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value as string)).toISOString();
}
