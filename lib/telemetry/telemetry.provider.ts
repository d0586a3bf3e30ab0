import type { Provider } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpProviderChain } from '../providers/provider.chain';
import { VERIFYNOW_RESOLVED_OPTIONS, VERIFYNOW_TELEMETRY } from '../verifynow.internal-constants';
import type { UpstreamReading } from './verifynow.telemetry';
import { VerifyNowTelemetry } from './verifynow.telemetry';

/**
 * The module's `VerifyNowTelemetry`: OpenTelemetry when the `telemetry` option
 * is on (the default) and the application installed `@opentelemetry/api`,
 * observing each configured upstream's breaker and rate-cap queue; otherwise
 * one that does nothing. Nest ends its gauges at shutdown.
 *
 * @internal
 */
export const telemetryProvider: Provider = {
  provide: VERIFYNOW_TELEMETRY,
  useFactory: (options: ResolvedVerifyNowOptions, chain: OtpProviderChain): VerifyNowTelemetry => {
    if (!options.telemetry) {
      return new VerifyNowTelemetry(undefined);
    }
    const telemetry = VerifyNowTelemetry.create();
    telemetry.observeUpstreams(() =>
      chain.inOrder.flatMap((provider): UpstreamReading[] => {
        const upstream = provider.upstream();
        return upstream === null
          ? []
          : [
              {
                provider: provider.name,
                breaker: upstream.breaker,
                queued: upstream.rateCap?.waiting ?? 0,
              },
            ];
      }),
    );
    return telemetry;
  },
  inject: [VERIFYNOW_RESOLVED_OPTIONS, OtpProviderChain],
};
