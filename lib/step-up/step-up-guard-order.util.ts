import { ExecutionContext, Type } from '@nestjs/common';

/** Nest's metadata key of `@UseGuards()` (`@nestjs/common/constants`, not a public path). */
const GUARDS_METADATA = '__guards__';

/** On `RequireOtpGuard.prototype`: the guard and its subclasses are one family. @internal */
export const OTP_GUARD_FAMILY = Symbol('verifynow:otp-guard');
/** An own static mark of the guard class `@RequireOtp()` applies. @internal */
export const APPLIED_BY_DECORATOR = Symbol('verifynow:applied-by-decorator');

type GuardClass = Type<unknown>;

function classOf(guard: unknown): GuardClass | undefined {
  if (typeof guard === 'function') {
    return guard as GuardClass;
  }
  return guard !== null && typeof guard === 'object'
    ? (guard.constructor as GuardClass)
    : undefined;
}

function isFamily(guard: GuardClass | undefined): guard is GuardClass {
  return (guard?.prototype as Record<symbol, unknown> | undefined)?.[OTP_GUARD_FAMILY] === true;
}

/** Whether `guard` is the class `@RequireOtp()` applies. @internal */
export function isDecoratorGuard(guard: GuardClass): boolean {
  return Object.prototype.hasOwnProperty.call(guard, APPLIED_BY_DECORATOR);
}

/** Whether `guard` is a subclass of `RequireOtpGuard` the application wrote. @internal */
export function isApplicationGuard(guard: GuardClass): boolean {
  return (
    isFamily(guard) &&
    !isDecoratorGuard(guard) &&
    !Object.prototype.hasOwnProperty.call(guard.prototype, OTP_GUARD_FAMILY)
  );
}

/** The guards of a route in the order they run after the global ones: controller, then handler. */
function routeGuards(context: ExecutionContext): (GuardClass | undefined)[] {
  return [context.getClass(), context.getHandler()].flatMap((target) =>
    ((Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? []).map(classOf),
  );
}

/**
 * Which guard of the `RequireOtpGuard` family checks a route when several could:
 * a subclass of the application's, applied on the route or controller, else the
 * guard `@RequireOtp()` applied, else one applied by hand there. `undefined`
 * when none is applied on the route: then a global registration checks it.
 *
 * @internal
 */
export function actingGuard(context: ExecutionContext): GuardClass | undefined {
  // A route's guards are fixed once its decorators ran: worked out once per handler and class.
  const handler = context.getHandler();
  const controller = context.getClass();
  let byClass = acting.get(handler);
  if (byClass === undefined) {
    byClass = new WeakMap();
    acting.set(handler, byClass);
  }
  const known = byClass.get(controller);
  if (known !== undefined) {
    return known.guard;
  }
  const family = routeGuards(context).filter(isFamily);
  const custom = family.filter(isApplicationGuard);
  const guard = custom.at(-1) ?? family.find(isDecoratorGuard) ?? family.at(-1);
  byClass.set(controller, { guard });
  return guard;
}

/** {@link actingGuard}'s answers, by handler, then class (a handler may be inherited). */
const acting = new WeakMap<object, WeakMap<object, { guard: GuardClass | undefined }>>();

/**
 * What to tell a developer whose step-up route found no signed-in user: which
 * guards run after the step-up check there, or where the auth guard belongs.
 *
 * @internal
 */
export function guardOrderHint(context: ExecutionContext): string {
  const guards = routeGuards(context);
  const actor = actingGuard(context);
  const last = actor === undefined ? -1 : guards.lastIndexOf(actor);
  const later = guards
    .slice(last + 1)
    .filter((guard) => guard !== undefined && !isFamily(guard))
    .map((guard) => (guard as GuardClass).name);
  return later.length > 0
    ? `guards that run after it on ${where(context)}: ${later.join(', ')}; write @RequireOtp() above @UseGuards(...) so that authentication runs first`
    : 'authentication must set request.user before it runs: register your auth guard globally (APP_GUARD), or on the controller, or on the route with @RequireOtp() written above @UseGuards(AuthGuard)';
}

/** `Controller.handler`, for messages. @internal */
export function where(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}
