import { HarnessError } from '../../../conformance/src/index.ts';

/**
 * The same answer from every store for text holding U+0000: PostgreSQL text cannot keep it, so
 * SQLite and memory refuse it too (400, naming where), and a record never exists on one store and
 * not on another. The routes refuse control characters before any store sees them; this is the
 * store contract's own guarantee for every other caller. Strings in a store call's arguments and
 * in their members (one level down; a run's evidence is JSON, where NUL is written escaped) are looked at.
 */
export function refuseNul<T extends object>(store: T, name: string): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        try {
          args.forEach((a, i) => check(a, `${name}.${String(prop)}: argument ${i + 1}`, 0));
        } catch (e) {
          // the store methods are async: the refusal arrives as theirs would
          return Promise.reject(e);
        }
        return (v as (...x: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function check(v: unknown, where: string, depth: number): void {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) throw new HarnessError('BAD_INPUT', `${where} holds U+0000, which no store keeps (PostgreSQL text cannot hold it): refused on every store alike`, { status: 400 });
    return;
  }
  if (depth >= 2 || typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return;
  for (const [k, x] of Object.entries(v)) if (k !== 'evidence') check(x, `${where}.${k}`, depth + 1);
}
