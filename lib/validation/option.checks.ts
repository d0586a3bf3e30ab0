import * as v from 'valibot';
import { describeValue } from '../redaction/redact.util';

/** The message of a key no option has; the resolver names the key. @internal */
export const UNKNOWN_KEY = 'unknown option';

/** A plain object: not null, not an array. @internal */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Options in an object that refuses any key it does not declare. @internal */
export const strict = <const E extends v.ObjectEntries>(entries: E) =>
  v.objectWithRest(
    entries,
    v.custom<unknown>(() => false, UNKNOWN_KEY),
  );

/** Options in an object, `{}` when left out; any other value is refused with `message`. @internal */
export function section<const E extends v.ObjectEntries>(message: string, entries: E) {
  const [object, other] = [strict(entries), v.custom<never>(() => false, message)];
  const lazy = v.lazy((value) => (isObject(value) ? object : other));
  return v.optional(lazy, {} as v.InferInput<typeof object>);
}

/** `false`, or what `schema` takes; `fallback` when left out. @internal */
export const orFalse = <S extends v.GenericSchema>(schema: S, fallback: v.InferInput<S>) =>
  v.optional(
    v.lazy((value) => (value === false ? v.literal(false) : schema)),
    fallback as never,
  );

/**
 * An option a `VERIFYNOW_*` variable can set, `fallback` when neither code nor the variable
 * does. Its message names the variable and shows the value refused, a URL's credentials
 * masked; a secret's never.
 *
 * @internal
 */
export function fromEnv<E extends string, S extends v.GenericSchema, D = undefined>(
  env: E,
  schema: S,
  fallback?: D & v.InferInput<S>,
  shown: 'secret' | 'url' | 'value' = 'value',
) {
  const checked = v.message(schema, ({ expected, input }) =>
    shown === 'secret'
      ? `(${env}) ${expected}`
      : `(${env}) ${expected}; got ${describeValue(input, shown)}`,
  );
  const option = v.optional(checked, fallback as v.Default<S, undefined>) as v.OptionalSchema<S, D>;
  return Object.assign(option, { env });
}
/** @internal */
export const secret = <E extends string, S extends v.GenericSchema>(env: E, schema: S) =>
  fromEnv(env, schema, undefined, 'secret');

/**
 * An option's check: `parse` converts a given value, or answers `undefined` to refuse it
 * as not what is `expected` (which may depend on the value).
 *
 * @internal
 */
export const leaf = <T>(
  expected: string | ((value: unknown) => string),
  parse: (value: unknown) => T | undefined,
) =>
  v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset: { value }, addIssue, NEVER }) => {
      const message = typeof expected === 'string' ? expected : expected(value);
      return parse(value) ?? (addIssue({ expected: message }), NEVER);
    }),
  );

/** @internal */
export const whole = (min: number, max: number) => (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : undefined;
/** A whole number, or its digits (as a variable holds it). @internal */
export const digits = (
  min: number,
  max: number,
  expected = `must be an integer from ${min} to ${max}`,
) =>
  leaf(expected, (value) =>
    whole(min, max)(typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? +value : value),
  );
/** A whole number only code sets, e.g. `int(1, 20, 5, 'number of seconds ')`. @internal */
export const int = (min: number, max: number, fallback: number, unit = '') =>
  v.optional(leaf(`must be an integer ${unit}from ${min} to ${max}`, whole(min, max)), fallback);
/** Trimmed text `pattern` matches; `convert` may change it, or refuse it with `undefined`. @internal */
export const text = (
  expected: Parameters<typeof leaf>[0],
  pattern: RegExp,
  convert = (given: string): string | undefined => given,
) =>
  leaf(expected, (value) =>
    typeof value === 'string' && pattern.test(value.trim()) ? convert(value.trim()) : undefined,
  );
/** One of `values`, whatever the case. @internal */
export const oneOf = <const T extends string>(values: readonly T[], expected: string) =>
  leaf(expected, (value) =>
    typeof value === 'string'
      ? values.find((one) => one.toUpperCase() === value.trim().toUpperCase())
      : undefined,
  );
/** An object of the application's own, with these methods, taken whole. @internal */
export const implementing = <T>(message: string, ...methods: string[]) =>
  v.optional(
    v.custom<T>(
      (value) => isObject(value) && methods.every((name) => typeof value[name] === 'function'),
      message,
    ),
  );

/** `true`, `false`, or a word for either: `yes`, `on`, `1`; `no`, `off`, `0`. @internal */
export function flag(value: unknown): boolean | undefined {
  if (typeof value !== 'string') return typeof value === 'boolean' ? value : undefined;
  const word = value.trim().toLowerCase();
  return (
    ['true', '1', 'yes', 'on'].includes(word) ||
    (['false', '0', 'no', 'off'].includes(word) ? false : undefined)
  );
}

/**
 * An http(s) URL without query, fragment or credentials, less its trailing slashes;
 * the message tells when credentials were the trouble (`e.g.` shows an example).
 *
 * @internal
 */
export function httpUrl(example: string) {
  const expected = `must be an http(s) URL without query string, e.g. ${example}`;
  const parse = (given: string, credentials = false) => {
    const url = URL.canParse(given) ? new URL(given) : undefined;
    const bare = credentials || (!url?.username && !url?.password);
    const ok = /^https?:$/.test(url?.protocol ?? '') && !url?.search && !url?.hash && bare;
    return ok ? url?.toString().replace(/\/+$/, '') : undefined;
  };
  return text(
    (value) =>
      typeof value === 'string' && parse(value.trim(), true)
        ? `${expected}, and without credentials in it`
        : expected,
    /./,
    (url) => parse(url),
  );
}
