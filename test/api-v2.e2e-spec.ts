import { VerifyNowSandbox, WrongOtpProvidedException } from '../lib';
import { createVerifyNow } from './helpers/verifynow-context';

const CUSTOMER_ID = 'C-V2-ACCOUNT';
const PASSWORD = 'v2-password';

describe('apiVersion v2: the legacy paths of the older guide', () => {
  let sandbox: VerifyNowSandbox;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
  });
  afterAll(() => sandbox.close());

  it('sends and validates through /verification/v2/verification/*, with the customer id', async () => {
    const context = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      apiVersion: 'v2',
    });
    try {
      const phoneNumber = '+919999900501';
      const { verificationId } = await context.service.sendOtp({ phoneNumber });
      await expect(
        context.service.validateOtp({ verificationId, code: '00000000' }),
      ).rejects.toBeInstanceOf(WrongOtpProvidedException);
      await expect(
        context.service.validateOtp({ verificationId, code: sandbox.latestCode(phoneNumber)! }),
      ).resolves.toMatchObject({ verificationId, status: 'VERIFICATION_COMPLETED' });
      // The sandbox answers 400 to v2 calls without customerId: these passed, so it was sent.
      expect(sandbox.requests()).toEqual([
        { method: 'GET', path: '/auth/v1/authentication/token' },
        { method: 'POST', path: '/verification/v2/verification/send' },
        { method: 'GET', path: '/verification/v2/verification/validateOtp' },
        { method: 'GET', path: '/verification/v2/verification/validateOtp' },
      ]);
    } finally {
      await context.close();
    }
  });

  it('uses the v3 paths by default', async () => {
    sandbox.reset();
    const context = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
    });
    try {
      await context.service.sendOtp({ phoneNumber: '+919999900502' });
      expect(sandbox.requests().map((r) => r.path)).toEqual([
        '/auth/v1/authentication/token',
        '/verification/v3/send',
      ]);
    } finally {
      await context.close();
    }
  });

  it('works against the embedded sandbox too', async () => {
    const context = await createVerifyNow({ sandbox: true, apiVersion: 'v2' });
    try {
      const { verificationId } = await context.service.sendOtp({ phoneNumber: '+919999900503' });
      const code = context.sandbox!.latestCode('+919999900503')!;
      await expect(context.service.validateOtp({ verificationId, code })).resolves.toBeDefined();
      expect(context.sandbox!.requests().map((r) => r.path)).toContain(
        '/verification/v2/verification/send',
      );
    } finally {
      await context.close();
    }
  });
});
