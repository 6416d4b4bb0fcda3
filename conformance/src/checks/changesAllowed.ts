import { CHECKS } from './registry.ts';

/**
 * What a run may change on the key under the flags the person gave, one line per check that
 * changes it (from each check's `changesKey`), said before the run starts: by `check --ctap`
 * on the terminal and by the guided page next to its boxes.
 */
export function changesAllowed(o: { destructive?: boolean; allowReset?: boolean; setPin?: boolean }): string[] {
  const out = CHECKS.filter((c) => c.changesKey && (c.changesKey.flag === '--allow-reset' ? o.allowReset : o.destructive || o.allowReset)).map((c) => `${c.changesKey!.flag}: ${c.changesKey!.what} (${c.id})`);
  if (o.setPin) out.unshift('--set-pin: the key gets its first PIN, as Windows sets one during sign-in; only a reset removes it');
  return out;
}
