/** How many entries the outbox and the request log keep. @internal */
export const SANDBOX_LIST_LIMIT = 1000;

/**
 * A list that keeps only its newest entries: pushing beyond the limit drops the oldest.
 *
 * @internal
 */
export class BoundedList<T> {
  private readonly entries: T[] = [];

  constructor(private readonly limit = SANDBOX_LIST_LIMIT) {}

  /** Appends, dropping the oldest entries beyond the limit. */
  push(item: T): void {
    this.entries.push(item);
    if (this.entries.length > this.limit) {
      this.entries.splice(0, this.entries.length - this.limit);
    }
  }

  /** The entries that pass `predicate` (all of them without one), oldest first, in a new array. */
  filter(predicate: (item: T) => boolean = () => true): T[] {
    return this.entries.filter(predicate);
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.length = 0;
  }
}
