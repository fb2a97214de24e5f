/**
 * Text from callers made safe to show: control characters written out (`\x1b`), so an escape
 * sequence someone put into a path or a field never reaches a terminal or a log viewer as one.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
