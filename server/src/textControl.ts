/**
 * Text from outside may not carry control characters where no text needs them: U+0000 cannot be
 * stored by PostgreSQL at all (it answered 500), and the other C0 controls and DEL in a name, a
 * label or a query make look-alikes and broken logs. Tab, line feed and carriage return stay
 * (an error message quoted from a browser may hold them). Refused before validation, on every
 * route and store alike, with the member named.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The first string member holding a control character: its path and the character, or undefined. */
export function findControlCharacter(v: unknown, where: string, depth = 0): { where: string; code: number } | undefined {
  if (typeof v === 'string') {
    const m = CONTROL.exec(v);
    return m ? { where, code: m[0].charCodeAt(0) } : undefined;
  }
  if (depth > 64 || v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = findControlCharacter(v[i], `${where}[${i}]`, depth + 1);
      if (f) return f;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    const key = CONTROL.exec(k);
    if (key) return { where: `${where} (a member name)`, code: key[0].charCodeAt(0) };
    const f = findControlCharacter(x, `${where}.${k}`, depth + 1);
    if (f) return f;
  }
  return undefined;
}
