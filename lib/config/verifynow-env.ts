import { ENV_VARIABLES } from './verifynow-options.schema';

/** The environment variable behind each option. */
export const VERIFYNOW_ENV_VARS = ENV_VARIABLES;

/** Options, as read from the environment: every value still a string, checked later. */
export type VerifyNowEnvOptions = {
  -readonly [K in keyof typeof VERIFYNOW_ENV_VARS]?: string;
};

/** The environment variables, e.g. `process.env`. */
export type EnvironmentSource = Readonly<Record<string, string | undefined>>;

/**
 * Reads the `VERIFYNOW_*` variables. Empty values count as unset. Values stay
 * strings; `resolveVerifyNowOptions` checks and converts them, so that a bad value
 * is reported with the name of its variable.
 */
export function readVerifyNowEnv(env: EnvironmentSource = process.env): VerifyNowEnvOptions {
  const entries = Object.entries(VERIFYNOW_ENV_VARS).map(([option, name]) => [
    option,
    env[name]?.trim(),
  ]);
  return Object.fromEntries(entries.filter(([, value]) => value)) as VerifyNowEnvOptions;
}

/** A top-level option's name as errors print it: `otpLength (VERIFYNOW_OTP_LENGTH)`. @internal */
export const optionLabel = (option: keyof VerifyNowEnvOptions) =>
  `${option} (${VERIFYNOW_ENV_VARS[option]})`;
