import { IncomingHttpHeaders } from 'node:http';
import { SandboxReply, jsonReply, whitelabelReply } from './sandbox.replies';

/** A request as a route sees it, parsed by the server. @internal */
export interface SandboxRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text, for routes that ask for it (`readsBody`); `undefined` otherwise. */
  body?: string;
}

/**
 * One entry of a provider's route table: a method, the paths it answers, and the
 * handler that turns a parsed request into a reply.
 *
 * @internal
 */
export interface SandboxRoute {
  /** The one method this entry answers; other methods on its paths get 405. */
  method: string;
  /** Exact paths, without query. */
  paths: readonly string[];
  /** Requests that reach the handler are counted under this name; uncounted when unset. */
  counter?: string;
  /** Read the request body and hand it to the handler; by default it is drained unread. */
  readsBody?: boolean;
  handle(request: SandboxRequest): SandboxReply;
}

/** The route a request goes to, or the reply it gets without one (404, 405). @internal */
export type SandboxMatch = { route: SandboxRoute } | { reply: SandboxReply };

/**
 * Matches method and path against the route tables providers add, answers
 * unknown paths with a Whitelabel HTML 404 and other methods with a JSON 405
 * (with `Allow`), and counts the requests each counter's routes handle.
 *
 * @internal
 */
export class SandboxRouter {
  private readonly table = new Map<string, Map<string, SandboxRoute>>();
  private readonly counts = new Map<string, number>();

  /** @param now The clock of the 405 answers' `timestamp`, in milliseconds. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a route table; throws when a method and path already have a route. */
  add(routes: readonly SandboxRoute[]): this {
    for (const route of routes) {
      for (const path of route.paths) {
        const methods = this.table.get(path) ?? new Map<string, SandboxRoute>();
        if (methods.has(route.method)) {
          throw new Error(`Two sandbox routes answer ${route.method} ${path}.`);
        }
        methods.set(route.method, route);
        this.table.set(path, methods);
      }
    }
    return this;
  }

  /** The route for a method and path, or the 404 or 405 reply when there is none. */
  match(method: string, path: string): SandboxMatch {
    const methods = this.table.get(path);
    if (methods === undefined) {
      return { reply: whitelabelReply(404) };
    }
    const route = methods.get(method);
    if (route === undefined) {
      const body = {
        timestamp: new Date(this.now()).toISOString(),
        status: 405,
        error: 'Method Not Allowed',
        path,
      };
      return { reply: jsonReply(405, body, { Allow: [...methods.keys()].join(', ') }) };
    }
    return { route };
  }

  /** Counts the request under its route's counter, then lets the route answer. */
  dispatch(route: SandboxRoute, request: SandboxRequest): SandboxReply {
    if (route.counter !== undefined) {
      this.counts.set(route.counter, this.count(route.counter) + 1);
    }
    return route.handle(request);
  }

  /** {@link match} then {@link dispatch}, for a request already parsed whole. */
  handle(request: SandboxRequest): SandboxReply {
    const match = this.match(request.method, request.path);
    return 'reply' in match ? match.reply : this.dispatch(match.route, request);
  }

  /** Requests handled so far under a counter. */
  count(counter: string): number {
    return this.counts.get(counter) ?? 0;
  }

  /** Sets every counter back to zero. */
  resetCounts(): void {
    this.counts.clear();
  }
}
