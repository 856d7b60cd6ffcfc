/** Edit distance counting a swap of two neighbours as one edit ("hlep" is one away from "help"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.MAX_SAFE_INTEGER;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest candidate within a small distance, or a unique one the word starts, else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  if (w.length === 0 || w.length > 64) return undefined;
  const limit = w.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    // The distance is at least the length difference: skip the quadratic table when it cannot qualify.
    if (Math.abs(w.length - c.length) > limit) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d <= limit && (!best || d < best.distance)) best = { name: c, distance: d };
  }
  if (best) return best.name;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w) && w.length >= 3);
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
