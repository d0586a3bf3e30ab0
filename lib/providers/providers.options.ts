import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import { decideSandboxMode } from '../sandbox/sandbox.mode';
import { leaf } from '../validation/option.checks';
import {
  CredentialOption,
  VerifyNowGiven,
  howToSetCredentials,
  sandboxCredentials,
  verifyNowCredentials,
} from './verifynow/verifynow.options';
import { CheckedVerihubsSection, resolveVerihubs } from './verihubs/verihubs.options';

/** Every upstream the module speaks, in the default order of preference. @internal */
export const PROVIDER_NAMES: readonly OtpProviderName[] = ['verifynow', 'verihubs'];

/** How each provider is configured, for messages. */
const HOW_TO_CONFIGURE: Record<OtpProviderName, string> = {
  verifynow:
    'set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD), or authToken (VERIFYNOW_AUTH_TOKEN)',
  verihubs: 'set verihubs.appId (VERIHUBS_APP_ID) and verihubs.apiKey (VERIHUBS_API_KEY)',
};

/** The `providers` check: known names, each once, as an array or a comma-separated list. @internal */
export const providerList = leaf(
  `must list providers in order of preference, each once, from ${PROVIDER_NAMES.join(', ')}, e.g. verihubs,verifynow`,
  (value) => {
    const list: unknown[] =
      typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
    const names = list.map((name) => (typeof name === 'string' ? name.trim().toLowerCase() : ''));
    const known = names.every((name) => (PROVIDER_NAMES as string[]).includes(name));
    return names.length > 0 && known && new Set(names).size === names.length
      ? (names as OtpProviderName[])
      : undefined;
  },
);

/**
 * The upstreams to send through, in order of preference: the `providers` given,
 * each of which must be configured; else every configured one, VerifyNow first.
 * The embedded sandbox serves both; by default it stands in for VerifyNow alone.
 *
 * @param configured the providers whose credentials are set (both in sandbox mode).
 * @param reported the providers whose settings were given but refused: their
 *   problems say what is wrong, and "not configured" would mislead.
 * @internal
 */
export function chooseProviders(
  wanted: readonly OtpProviderName[] | undefined,
  configured: ReadonlySet<OtpProviderName>,
  sandbox: boolean,
  problems: string[],
  reported: ReadonlySet<OtpProviderName> = new Set(),
): OtpProviderName[] {
  if (wanted === undefined) {
    return sandbox ? ['verifynow'] : PROVIDER_NAMES.filter((name) => configured.has(name));
  }
  for (const name of wanted.filter((one) => !configured.has(one) && !reported.has(one))) {
    problems.push(
      `providers (VERIFYNOW_PROVIDERS) names ${name}, which is not configured: ${HOW_TO_CONFIGURE[name]}`,
    );
  }
  return [...wanted];
}

/** What the options say about the upstreams, checked one by one already. @internal */
export interface UpstreamsGiven {
  /** The sandbox switch; `null` when it is invalid (and reported). */
  sandbox: boolean | undefined | null;
  nodeEnv: string | undefined;
  verifynow: { given: readonly CredentialOption[]; live: VerifyNowGiven };
  /** `section` is `undefined` when a Verihubs setting is invalid (and reported). */
  verihubs: { given: readonly string[]; section: CheckedVerihubsSection | undefined };
  wanted: readonly OtpProviderName[] | undefined;
  /** An option as messages print it, with its variable. */
  label: (option: 'sandbox' | CredentialOption) => string;
}

/**
 * Decides the mode (the embedded sandbox or live), each provider's credentials,
 * and the providers to send through; every conflict goes to `problems`.
 *
 * @internal
 */
export function resolveUpstreams(given: UpstreamsGiven, problems: string[]) {
  const { verifynow, verihubs: hub, label } = given;
  const labels = { sandbox: label('sandbox'), setCredentials: howToSetCredentials(label) };
  const { mode, reason } =
    given.sandbox === null
      ? { mode: 'live' as const, reason: undefined }
      : decideSandboxMode(
          given.sandbox,
          [...verifynow.given.map(label), ...hub.given],
          given.nodeEnv,
          problems,
          labels,
        );
  const sandbox = mode === 'sandbox';
  const reported = new Set<OtpProviderName>();
  let before = problems.length;
  const credentials = sandbox
    ? sandboxCredentials()
    : verifynow.given.length > 0
      ? verifyNowCredentials(verifynow.live, problems, label)
      : undefined;
  if (verifynow.given.length > 0 && problems.length > before) reported.add('verifynow');
  before = problems.length;
  const verihubs = hub.section && resolveVerihubs(hub.section, sandbox, problems);
  // An invalid Verihubs setting was reported when it was checked, leaving no section.
  if (hub.given.length > 0 && (problems.length > before || !hub.section)) reported.add('verihubs');
  const configured = new Set<OtpProviderName>(sandbox ? PROVIDER_NAMES : []);
  if (credentials) configured.add('verifynow');
  if (verihubs) configured.add('verihubs');
  const providers = chooseProviders(given.wanted, configured, sandbox, problems, reported);
  return { mode, reason, credentials, verihubs, providers };
}
