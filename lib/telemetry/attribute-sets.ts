import type { OtelAttributes } from './otel-api.loader';

/** A value of an attribute, or `null`/`undefined` for one left out. @internal */
export type AttributeValue = string | number | null | undefined;

/** A level of the cache: the next level, or at the last the set, by value. */
type Level = Map<string | number | symbol, Level | OtelAttributes>;

/** Stands for a left-out value among a level's keys. */
const ABSENT = Symbol('absent');

/**
 * Attribute sets of one shape (the keys given once), by their values, built
 * once: the module's attributes are low-cardinality by construction (provider,
 * channel, operation, an outcome from a fixed set, error codes), so a handful
 * of sets serve every measurement and span, and no call builds, filters or
 * spreads an object of its own. The sets are frozen (the SDK copies or only
 * reads them). Past `capacity` distinct sets, new ones are built each time and
 * not kept, so the cache cannot grow without bound whatever it is given.
 *
 * @internal
 */
export class AttributeSets {
  private readonly root: Level = new Map();
  private size = 0;

  /**
   * @param keys - the attributes' keys, in the order {@link AttributeSets.of} takes values.
   * @param capacity - how many distinct sets to keep.
   */
  constructor(
    private readonly keys: readonly string[],
    private readonly capacity = 256,
  ) {}

  /**
   * The set of `keys[i]: values[i]`, where a `null` or `undefined` value
   * leaves its key out: the same object for the same values (`404` and
   * `'404'` are not the same value).
   */
  of(...values: AttributeValue[]): OtelAttributes {
    let level = this.root;
    const last = this.keys.length - 1;
    for (let i = 0; i < last; i += 1) {
      const value = values[i] ?? ABSENT;
      let next = level.get(value) as Level | undefined;
      if (next === undefined) {
        if (this.size >= this.capacity) {
          return this.build(values);
        }
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const value = values[last] ?? ABSENT;
    const known = level.get(value) as OtelAttributes | undefined;
    if (known !== undefined) {
      return known;
    }
    const set = this.build(values);
    if (this.size < this.capacity) {
      level.set(value, set);
      this.size += 1;
    }
    return set;
  }

  private build(values: readonly AttributeValue[]): OtelAttributes {
    const set: OtelAttributes = {};
    this.keys.forEach((key, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) {
        set[key] = value;
      }
    });
    return Object.freeze(set);
  }
}
