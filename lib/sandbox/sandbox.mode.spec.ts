import { decideSandboxMode } from './sandbox.mode';

const SET_CREDENTIALS =
  'set customerId (VERIFYNOW_CUSTOMER_ID) with password (VERIFYNOW_PASSWORD) (or key (VERIFYNOW_KEY)), or authToken (VERIFYNOW_AUTH_TOKEN)';

const VARIABLES: Record<string, string> = {
  customerId: 'VERIFYNOW_CUSTOMER_ID',
  key: 'VERIFYNOW_KEY',
  authToken: 'VERIFYNOW_AUTH_TOKEN',
};

function decide(sandbox: boolean | undefined, credentials: string[], nodeEnv: string | undefined) {
  const problems: string[] = [];
  const labels = { sandbox: 'sandbox (VERIFYNOW_SANDBOX)', setCredentials: SET_CREDENTIALS };
  const given = credentials.map((option) => `${option} (${VARIABLES[option]})`);
  return { ...decideSandboxMode(sandbox, given, nodeEnv, problems, labels), problems };
}

describe('decideSandboxMode', () => {
  it.each(['development', 'test', ' Development ', 'TEST'])(
    'starts the sandbox by itself with no credentials when NODE_ENV is %j',
    (nodeEnv) => {
      expect(decide(undefined, [], nodeEnv)).toEqual({
        mode: 'sandbox',
        reason: 'no-credentials',
        problems: [],
      });
    },
  );

  it.each([
    [undefined, 'unset'],
    ['  ', 'unset'],
    ['staging', '"staging"'],
    [' Preview ', '"Preview"'],
  ])('with no credentials and NODE_ENV %j, says how to turn the sandbox on', (nodeEnv, shown) => {
    expect(decide(undefined, [], nodeEnv).problems).toEqual([
      `no credentials and no sandbox (VERIFYNOW_SANDBOX) setting while NODE_ENV is ${shown}: set VERIFYNOW_SANDBOX=true (or sandbox: true) to run against the embedded sandbox, or ${SET_CREDENTIALS}; the sandbox starts by itself only when NODE_ENV is development or test`,
    ]);
  });

  it('requires credentials in production', () => {
    expect(decide(undefined, [], 'production').problems).toEqual([
      `credentials are required when NODE_ENV is production: ${SET_CREDENTIALS}`,
    ]);
  });

  it('requires credentials with the sandbox off, whatever NODE_ENV', () => {
    for (const nodeEnv of [undefined, 'test', 'production']) {
      expect(decide(false, [], nodeEnv).problems).toEqual([
        `credentials are required with sandbox off: ${SET_CREDENTIALS}`,
      ]);
    }
  });

  it('runs the sandbox when asked, outside production', () => {
    for (const nodeEnv of [undefined, 'staging', 'development', 'test']) {
      expect(decide(true, [], nodeEnv)).toEqual({
        mode: 'sandbox',
        reason: 'configured',
        problems: [],
      });
    }
  });

  it.each(['production', ' Production '])('never runs the sandbox when NODE_ENV is %j', (env) => {
    expect(decide(true, [], env).problems).toEqual([
      `sandbox (VERIFYNOW_SANDBOX) is on while NODE_ENV is production, where the embedded sandbox never runs: turn sandbox off and ${SET_CREDENTIALS}`,
    ]);
  });

  it('refuses the sandbox together with live credentials, naming them', () => {
    expect(decide(true, ['customerId', 'key'], 'test').problems).toEqual([
      'sandbox (VERIFYNOW_SANDBOX) is on together with live credentials (customerId (VERIFYNOW_CUSTOMER_ID), key (VERIFYNOW_KEY)): turn sandbox off to call the upstream with them, or remove them to run against the embedded sandbox',
    ]);
  });

  it('goes live with credentials unless the sandbox is asked for', () => {
    for (const sandbox of [undefined, false]) {
      for (const nodeEnv of [undefined, 'test', 'production']) {
        expect(decide(sandbox, ['authToken'], nodeEnv)).toEqual({
          mode: 'live',
          reason: undefined,
          problems: [],
        });
      }
    }
  });
});
