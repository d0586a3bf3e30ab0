import { AsyncLocalStorage } from 'node:async_hooks';

/** Whether the handler of one guarded invocation has started. @internal */
export interface HandlerRun {
  started?: boolean;
}

const runs = new AsyncLocalStorage<HandlerRun>();
const TRACKED = Symbol('verifynow:tracked-handler');

type Handler = (...args: unknown[]) => unknown;

/**
 * Runs `work` (the rest of the request: pipes, then the handler) with a record
 * of whether the handler started, so that a proof can be given back when only
 * input validation refused the request.
 *
 * @internal
 */
export function trackRun<T>(run: HandlerRun, work: () => T): T {
  return runs.run(run, work);
}

/** Whether `run` is already tracked by an enclosing {@link trackRun}. @internal */
export function isTracking(run: HandlerRun): boolean {
  return runs.getStore() === run;
}

/** Whether `handler` reports its start (see {@link trackHandler}). @internal */
export function isTracked(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as { [TRACKED]?: boolean })[TRACKED] === true;
}

/**
 * The handler, reporting its start to the run around it. Keeps the name and
 * every metadata entry other decorators put on the original function.
 *
 * @internal
 */
export function trackHandler<T extends Handler>(handler: T): T {
  if (isTracked(handler)) {
    return handler;
  }
  const tracked = function (this: unknown, ...args: unknown[]): unknown {
    const run = runs.getStore();
    if (run !== undefined) {
      run.started = true;
    }
    return handler.apply(this, args);
  };
  Object.defineProperty(tracked, 'name', { value: handler.name });
  for (const key of Reflect.getOwnMetadataKeys(handler)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, handler), tracked);
  }
  Object.defineProperty(tracked, TRACKED, { value: true });
  return tracked as unknown as T;
}
