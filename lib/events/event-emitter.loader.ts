import type { ModuleRef } from '@nestjs/core';

/** What the module uses of `EventEmitter2`. @internal */
export interface EventEmitterLike {
  emitAsync(event: string, ...values: unknown[]): Promise<unknown[]>;
}

type EventEmitterModule = { EventEmitter2?: abstract new (...args: never[]) => unknown };

/**
 * The application's `EventEmitter2`, when it has `@nestjs/event-emitter` (an
 * optional peer, loaded only now) and imports `EventEmitterModule`; `undefined`
 * otherwise, and events then go to `VerifyNowEvents` subscribers alone.
 *
 * @internal
 */
export function findEventEmitter(moduleRef: ModuleRef): EventEmitterLike | undefined {
  let token: EventEmitterModule['EventEmitter2'];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    token = (require('@nestjs/event-emitter') as EventEmitterModule).EventEmitter2;
  } catch {
    return undefined;
  }
  if (token === undefined) {
    return undefined;
  }
  try {
    const emitter = moduleRef.get<unknown, Partial<EventEmitterLike> | null>(token, {
      strict: false,
    });
    return typeof emitter?.emitAsync === 'function' ? (emitter as EventEmitterLike) : undefined;
  } catch {
    // Installed, but EventEmitterModule is not imported.
    return undefined;
  }
}
