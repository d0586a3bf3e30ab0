import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Observable } from 'rxjs';
import { isTracked, isTracking, trackRun } from './handler-runs.tracker';
import { holderOf, invocationOf, readMark, requestOf } from './otp-invocation.util';
import { stepUpServices } from './step-up.services';

/**
 * Applied by `@RequireOtp()` beside its guard: when the request fails before
 * the handler started (a pipe's 400, say), gives the proof the guard accepted
 * back, so that the user can correct the input and repeat the request with the
 * same code, without a second upstream call. Once the handler started, the
 * proof stays spent, whatever happens next.
 *
 * @internal
 */
@Injectable()
export class OtpProofInterceptor implements NestInterceptor {
  constructor(private readonly moduleRef: ModuleRef) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const mark = readMark(holderOf(context, requestOf(context)));
    const spent = mark?.spent;
    // Applied twice (controller and route), the outer one alone decides: the
    // handler reports its start on the proof's own record, which both see.
    if (
      mark === undefined ||
      spent === undefined ||
      mark.invocation !== invocationOf(context) ||
      !isTracked(context.getHandler()) ||
      isTracking(mark)
    ) {
      return next.handle();
    }
    return new Observable((subscriber) =>
      trackRun(mark, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          complete: () => subscriber.complete(),
          error: (error: unknown) => {
            if (mark.started === true) {
              subscriber.error(error);
              return;
            }
            mark.spent = undefined;
            const restored = stepUpServices(this.moduleRef)?.stepUp.restore(spent);
            void Promise.resolve(restored)
              .catch(() => undefined)
              .finally(() => subscriber.error(error));
          },
        }),
      ),
    );
  }
}
