/**
 * Thrown at boot when the module's options are missing or invalid. Its message
 * names every offending option and the environment variable behind it, and
 * never repeats the value of a secret.
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
