import type { ModuleRef } from '@nestjs/core';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import { StepUpReport } from './step-up.report';
import { VerifyNowStepUpService } from './verifynow-step-up.service';

/** What the step-up guard and interceptor need from the module. @internal */
export interface StepUpServices {
  stepUp: VerifyNowStepUpService;
  options: ResolvedVerifyNowOptions;
  report: StepUpReport;
}

const found = new WeakMap<ModuleRef, StepUpServices>();

/**
 * The module's step-up services, found wherever `VerifyNowModule` was imported
 * (so that `@RequireOtp()` works in a controller of any module), or `undefined`
 * when the application has no `VerifyNowModule`.
 *
 * @internal
 */
export function stepUpServices(moduleRef: ModuleRef): StepUpServices | undefined {
  let services = found.get(moduleRef);
  if (services === undefined) {
    try {
      services = {
        stepUp: moduleRef.get(VerifyNowStepUpService, { strict: false }),
        options: moduleRef.get(VERIFYNOW_RESOLVED_OPTIONS, { strict: false }),
        report: moduleRef.get(StepUpReport, { strict: false }),
      };
    } catch {
      return undefined;
    }
    found.set(moduleRef, services);
  }
  return services;
}
