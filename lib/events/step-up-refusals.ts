/**
 * Errors whose step-up refusal was already announced (by the send or the proof
 * check that raised them), so that the guard, which sees them again, does not
 * announce them twice.
 *
 * @internal
 */
const seen = new WeakSet<object>();

/** @internal */
export const announced = {
  add(error: unknown): void {
    if (typeof error === 'object' && error !== null) {
      seen.add(error);
    }
  },
  has(error: unknown): boolean {
    return typeof error === 'object' && error !== null && seen.has(error);
  },
};
