/** A key as typed, quoted (and cut short) when it is not a plain name. @internal */
export const printableKey = (key: string) =>
  /^[A-Za-z_$][\w$]{0,63}$/.test(key)
    ? key
    : JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);

/**
 * The known key a typo most likely meant: the same but for case, a few edits away
 * (a third of its length, at most 3), or one that starts with it.
 *
 * @internal
 */
export function closestKey(typo: string, keys: readonly string[]): string | undefined {
  const wrong = typo.toLowerCase();
  const tolerance = Math.max(1, Math.min(3, Math.floor(wrong.length / 3)));
  const score = (key: string) => {
    const distance = editDistance(wrong, key.toLowerCase());
    const prefix = wrong.length >= 3 && key.toLowerCase().startsWith(wrong);
    return distance <= tolerance ? distance : prefix ? tolerance + 1 : Infinity;
  };
  return keys.filter((key) => score(key) < Infinity).sort((a, b) => score(a) - score(b))[0];
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const swap =
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
          ? d[i - 2][j - 2] + 1
          : Infinity;
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        swap,
      );
    }
  }
  return d[a.length][b.length];
}
