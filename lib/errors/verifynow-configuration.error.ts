/**
 * Thrown at boot when the module's options are missing, invalid, unknown (a key
 * the options do not declare, at any depth) or in conflict (the embedded sandbox
 * in production, or beside live credentials). Its message names every offending
 * option and the environment variable behind it, and never repeats the value of a
 * secret, nor the credentials inside a URL.
 */
export class VerifyNowConfigurationError extends Error {
  /** One line per problem, e.g. `otpLength (VERIFYNOW_OTP_LENGTH) must be ...`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid VerifyNow configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'VerifyNowConfigurationError';
    this.problems = problems;
  }
}
