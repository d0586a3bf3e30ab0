import { ExecutionContext, RequestMethod } from '@nestjs/common';

/** Nest's own metadata keys (`@nestjs/common/constants`, which is not a public path). */
const METHOD_METADATA = 'method';
const PATH_METADATA = 'path';
const VERSION_METADATA = '__version__';
const HOST_METADATA = 'host';
/** `@RouteConstraints()` of `@nestjs/platform-fastify`. */
const FASTIFY_CONSTRAINTS_METADATA = '__fastify_route_constraints__';

/** Where Express and Fastify say which route matched. */
interface RoutedRequest {
  baseUrl?: string;
  route?: { path?: unknown };
  routeOptions?: { url?: unknown };
  routerPath?: unknown;
}

/**
 * The purpose a `@RequireOtp()` route proves when it names none: one per
 * handler, whatever prefixes (global, `RouterModule`), versions or hosts it is
 * served under, e.g. `'POST /admin/items/delete (AdminItemsController.delete)'`,
 * `'POST /pay v2 (PayController.pay)'`, `'POST /delete host=admin.example.com
 * (ItemsController.delete)'`, or for GraphQL
 * `'graphql Mutation.transfer (AccountResolver.transfer)'`.
 *
 * @internal
 */
export function defaultPurpose(context: ExecutionContext, request: unknown): string {
  const handler = context.getHandler();
  const controller = context.getClass();
  const where = `(${controller.name}.${handler.name})`;
  if (context.getType<string>() === 'graphql') {
    const info = context.getArgs()[3] as
      { parentType?: { name?: string }; fieldName?: string } | undefined;
    return `graphql ${info?.parentType?.name ?? '?'}.${info?.fieldName ?? '?'} ${where}`;
  }
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (method === undefined) {
    return `${context.getType<string>()} ${where}`;
  }
  const path = matchedRoute(request) ?? declaredPath(controller, handler);
  const version = describeVersion(
    Reflect.getMetadata(VERSION_METADATA, handler) ??
      Reflect.getMetadata(VERSION_METADATA, controller),
  );
  return `${RequestMethod[method]} ${path}${version}${describeBinding(controller, handler)} ${where}`;
}

/** What else routes a request to this handler rather than another of the same path. */
function describeBinding(controller: object, handler: object): string {
  const host: unknown = Reflect.getMetadata(HOST_METADATA, controller);
  const constraints: unknown = Reflect.getMetadata(FASTIFY_CONSTRAINTS_METADATA, handler);
  const hosts = (Array.isArray(host) ? host : host === undefined ? [] : [host]).map(String);
  return (
    (hosts.length > 0 ? ` host=${hosts.join('|')}` : '') +
    (constraints !== undefined ? ` constraints=${JSON.stringify(constraints)}` : '')
  );
}

/** The route template the platform matched, prefixes and URI versions included. */
function matchedRoute(request: unknown): string | undefined {
  if (request === null || typeof request !== 'object') {
    return undefined;
  }
  const routed = request as RoutedRequest;
  const express = routed.route?.path;
  if (typeof express === 'string' || express instanceof RegExp) {
    return `${routed.baseUrl ?? ''}${String(express)}`;
  }
  const fastify = routed.routeOptions?.url ?? routed.routerPath;
  return typeof fastify === 'string' ? fastify : undefined;
}

function declaredPath(controller: object, handler: object): string {
  const first = (value: unknown): string =>
    Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : '';
  const parts = [
    first(Reflect.getMetadata(PATH_METADATA, controller)),
    first(Reflect.getMetadata(PATH_METADATA, handler)),
  ];
  return `/${parts
    .join('/')
    .split('/')
    .filter((part) => part.length > 0)
    .join('/')}`;
}

function describeVersion(version: unknown): string {
  if (version === undefined || version === null) {
    return '';
  }
  const versions: unknown[] = Array.isArray(version) ? version : [version];
  return ` v${versions.map((one) => (typeof one === 'string' ? one : 'neutral')).join('|')}`;
}

/** The default purposes given so far, per module registration, and to which handler. */
const given = new WeakMap<object, Map<string, object>>();

/**
 * Records that `handler` proves `purpose` in the application `scope` stands for;
 * false when another handler there already does, which must fail closed.
 *
 * @internal
 */
export function claimDefaultPurpose(scope: object, purpose: string, handler: object): boolean {
  const purposes = given.get(scope) ?? new Map<string, object>();
  given.set(scope, purposes);
  const owner = purposes.get(purpose);
  if (owner === undefined) {
    purposes.set(purpose, handler);
  }
  return owner === undefined || owner === handler;
}
