import { isObject } from './option.checks';

/** Options as checked, less the index signature of the unknown-key check. @internal */
export type Checked<T> = T extends object
  ? string extends keyof T
    ? { [K in keyof T as string extends K ? never : K]: Checked<T[K]> }
    : T
  : T;

/** A path as messages print it, e.g. `store.redis.url` (tuple positions left out). @internal */
export const pathOf = (at: readonly PropertyKey[]) =>
  at.filter((key) => typeof key === 'string').join('.');

/** The value at `at`, or `undefined` when something on the way is missing. @internal */
export const valueAt = (tree: unknown, at: readonly PropertyKey[]): unknown =>
  at.reduce<unknown>(
    (node, key) => (isObject(node) || Array.isArray(node) ? node[key as never] : undefined),
    tree,
  );

/**
 * Sets a defined `value` at `at` where nothing is set: copying, never changing, the
 * objects on the way.
 *
 * @internal
 */
export function fill(
  parent: Record<PropertyKey, unknown>,
  at: readonly PropertyKey[],
  value: unknown,
) {
  const [key, ...rest] = at;
  if (value === undefined) return;
  if (rest.length === 0) {
    parent[key] ??= value;
    return;
  }
  const child = parent[key] ?? {};
  if (isObject(child) || Array.isArray(child)) {
    const copy = Array.isArray(child) ? [...(child as unknown[])] : { ...child };
    fill((parent[key] = copy) as typeof parent, rest, value);
  }
}

/**
 * One walk through a valibot schema of options: where each of `leaves` sits (by its
 * name in `leaves`), and the keys each object declares (by its printed path).
 *
 * @internal
 */
export function mapOptions<L extends Record<string, unknown>>(schema: unknown, leaves: L) {
  const paths = new Map<keyof L, PropertyKey[]>();
  const keys = new Map<string, string[]>();
  (function walk(node: unknown, at: PropertyKey[]): void {
    const { entries, items, wrapped, getter } = node as Record<string, unknown>;
    const leaf = Object.entries(leaves).find(([, schema]) => schema === node);
    if (leaf) paths.set(leaf[0], at);
    if (isObject(entries)) {
      keys.set(pathOf(at), Object.keys(entries));
      Object.entries(entries).forEach(([key, entry]) => walk(entry, [...at, key]));
    } else if (Array.isArray(items)) {
      items.forEach((item, index) => walk(item, [...at, index]));
    } else if (typeof getter === 'function') {
      walk((getter as (value: unknown) => unknown)({}), at);
    } else if (wrapped) {
      walk(wrapped, at);
    }
  })(schema, []);
  return { paths, keys };
}
