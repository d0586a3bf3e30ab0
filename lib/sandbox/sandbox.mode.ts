/**
 * Whether the embedded sandbox stands in for the upstream, and why.
 *
 * @internal
 */
export interface SandboxDecision {
  mode: 'live' | 'sandbox';
  /** Why the sandbox runs: asked for, or chosen because no credentials are set. */
  reason: 'configured' | 'no-credentials' | undefined;
}

/** How the problems name the options they are about. @internal */
export interface SandboxModeLabels {
  /** The sandbox switch, e.g. `sandbox (VERIFYNOW_SANDBOX)`. */
  sandbox: string;
  /** How to set live credentials, e.g. `set customerId (…) with password (…)`. */
  setCredentials: string;
}

/** The values of `NODE_ENV` in which the sandbox starts by itself when no credentials are set. */
const SELF_STARTING_ENVIRONMENTS: readonly string[] = ['development', 'test'];

/**
 * Decides between the upstream and the embedded sandbox:
 *
 * - the sandbox never runs when `NODE_ENV` is `production`;
 * - asked for (`sandbox` / `VERIFYNOW_SANDBOX`), it runs, and takes no live credentials;
 * - not asked for and with no credentials, it starts by itself only when `NODE_ENV`
 *   is `development` or `test`; elsewhere the boot stops, saying how to turn it on.
 *
 * @param sandbox the explicit setting; `undefined` when neither code nor environment sets it.
 * @param credentials the labels of the credential options given, valid or not.
 * @param nodeEnv `NODE_ENV`, compared trimmed and case-insensitively.
 * @param problems where each conflict is reported.
 * @internal
 */
export function decideSandboxMode(
  sandbox: boolean | undefined,
  credentials: readonly string[],
  nodeEnv: string | undefined,
  problems: string[],
  labels: SandboxModeLabels,
): SandboxDecision {
  const environment = (nodeEnv ?? '').trim().toLowerCase();
  const { sandbox: option, setCredentials } = labels;
  if (sandbox === true) {
    if (environment === 'production') {
      problems.push(
        `${option} is on while NODE_ENV is production, where the embedded sandbox never runs: turn sandbox off and ${setCredentials}`,
      );
    }
    if (credentials.length > 0) {
      problems.push(
        `${option} is on together with live credentials (${credentials.join(', ')}): turn sandbox off to call the upstream with them, or remove them to run against the embedded sandbox`,
      );
    }
    return { mode: 'sandbox', reason: 'configured' };
  }
  if (credentials.length > 0) {
    return { mode: 'live', reason: undefined };
  }
  if (sandbox === false) {
    problems.push(`credentials are required with sandbox off: ${setCredentials}`);
  } else if (environment === 'production') {
    problems.push(`credentials are required when NODE_ENV is production: ${setCredentials}`);
  } else if (SELF_STARTING_ENVIRONMENTS.includes(environment)) {
    return { mode: 'sandbox', reason: 'no-credentials' };
  } else {
    const shown = environment === '' ? 'unset' : JSON.stringify(nodeEnv?.trim().slice(0, 40));
    problems.push(
      `no credentials and no ${option} setting while NODE_ENV is ${shown}: set VERIFYNOW_SANDBOX=true (or sandbox: true) to run against the embedded sandbox, or ${setCredentials}; the sandbox starts by itself only when NODE_ENV is development or test`,
    );
  }
  return { mode: 'live', reason: undefined };
}
