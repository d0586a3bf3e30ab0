import type { Provider } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VERIFYNOW_RESOLVED_OPTIONS, VERIFYNOW_TELEMETRY } from '../verifynow.internal-constants';
import { VerifyNowTelemetry } from './verifynow.telemetry';

/**
 * The module's `VerifyNowTelemetry`: OpenTelemetry when the `telemetry` option
 * is on (the default) and the application installed `@opentelemetry/api`;
 * otherwise one that does nothing. Nest ends its gauges at shutdown.
 *
 * @internal
 */
export const telemetryProvider: Provider = {
  provide: VERIFYNOW_TELEMETRY,
  useFactory: (options: ResolvedVerifyNowOptions): VerifyNowTelemetry =>
    options.telemetry ? VerifyNowTelemetry.create() : new VerifyNowTelemetry(undefined),
  inject: [VERIFYNOW_RESOLVED_OPTIONS],
};
