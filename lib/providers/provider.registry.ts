import { Provider, Type } from '@nestjs/common';
import { OTP_PROVIDER, OtpProvider } from './otp-provider.interface';
import { VerifyNowProvider } from './verifynow/verifynow.provider';
import { VerifyNowTokenProvider } from './verifynow/verifynow-token.provider';

/**
 * Every upstream the module speaks, by name, with the Nest providers it needs.
 * Adding an upstream is adding its folder under `lib/providers/` and a line here.
 *
 * @internal
 */
export const OTP_PROVIDERS = {
  verifynow: { provider: VerifyNowProvider, needs: [VerifyNowTokenProvider] },
} satisfies Record<string, { provider: Type<OtpProvider>; needs: Type<unknown>[] }>;

/** The Nest providers of every upstream, and the one the core talks to. @internal */
export const providerModuleProviders: Provider[] = [
  ...Object.values(OTP_PROVIDERS).flatMap(({ provider, needs }) => [provider, ...needs]),
  {
    provide: OTP_PROVIDER,
    useFactory: (verifyNow: OtpProvider) => verifyNow,
    inject: [OTP_PROVIDERS.verifynow.provider],
  },
];
