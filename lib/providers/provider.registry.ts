import { Provider, Type } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import { OtpProvider } from './otp-provider.interface';
import { OtpProviderChain } from './provider.chain';
import { VerifyNowProvider } from './verifynow/verifynow.provider';
import { VerifyNowTokenProvider } from './verifynow/verifynow-token.provider';
import { verihubsClientProvider } from './verihubs/verihubs.client';
import { VerihubsProvider } from './verihubs/verihubs.provider';
import { VerihubsCallbackRoute } from './verihubs/verihubs-callback.route';

/**
 * Every upstream the module speaks, by name, with the Nest providers it needs.
 * Adding an upstream is adding its folder under `lib/providers/` and a line here.
 *
 * @internal
 */
export const OTP_PROVIDERS = {
  verifynow: { provider: VerifyNowProvider, needs: [VerifyNowTokenProvider] },
  verihubs: { provider: VerihubsProvider, needs: [verihubsClientProvider, VerihubsCallbackRoute] },
} satisfies Record<OtpProviderName, { provider: Type<OtpProvider>; needs: Provider[] }>;

const NAMES = Object.keys(OTP_PROVIDERS) as (keyof typeof OTP_PROVIDERS)[];

/** The Nest providers of every upstream, and the chain of those `providers` names. @internal */
export const providerModuleProviders: Provider[] = [
  ...Object.values(OTP_PROVIDERS).flatMap(({ provider, needs }) => [provider, ...needs]),
  {
    provide: OtpProviderChain,
    useFactory: (options: ResolvedVerifyNowOptions, ...all: OtpProvider[]) => {
      const wanted: readonly OtpProviderName[] = options.providers;
      return new OtpProviderChain(wanted.map((name) => all[NAMES.indexOf(name as never)]));
    },
    inject: [VERIFYNOW_RESOLVED_OPTIONS, ...NAMES.map((name) => OTP_PROVIDERS[name].provider)],
  },
];
