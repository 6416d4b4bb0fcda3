/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word closest to an unknown one, when it is close enough to be a typo (a unique
 * prefix, or a few edits away; letter case ignored): for "did you mean …?" messages.
 */
export function closestWord(unknown: string, known: readonly string[]): string | undefined {
  const u = unknown.toLowerCase();
  const prefix = known.filter((k) => k.toLowerCase().startsWith(u) && u.length >= 2);
  if (prefix.length === 1) return prefix[0];
  let best: { word: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(u, k.toLowerCase());
    if (!best || d < best.d) best = { word: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(u.length / 3)) ? best.word : undefined;
}
