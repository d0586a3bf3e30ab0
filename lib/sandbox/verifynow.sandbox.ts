import { verifyNowSandboxRoutes } from '../providers/verifynow/sandbox/verifynow-sandbox.routes';
import { VerifyNowSandboxState } from '../providers/verifynow/sandbox/verifynow-sandbox.state';
import {
  VerifyNowSandboxMessage,
  VerifyNowSandboxOptions,
  VerifyNowSandboxStats,
} from '../providers/verifynow/sandbox/verifynow-sandbox.types';
import { SandboxOutbox } from './sandbox.outbox';
import { SandboxRouter } from './sandbox.router';
import { SandboxServer } from './sandbox.server';
import { VerifyNowSandboxRequest } from './sandbox.types';

export type {
  VerifyNowSandboxMessage,
  VerifyNowSandboxOptions,
  VerifyNowSandboxStats,
} from '../providers/verifynow/sandbox/verifynow-sandbox.types';
export type { VerifyNowSandboxRequest } from './sandbox.types';

/**
 * A local stand-in for the VerifyNow API: the same token, send and validate
 * endpoints (v3 and v2 paths), the same answers and codes, no account and no SMS.
 * Magic numbers produce every documented outcome; codes are random (or fixed)
 * and readable from `GET /sandbox/outbox` or {@link VerifyNowSandbox.outbox}.
 *
 * `VerifyNowModule` starts one on loopback in sandbox mode; it also runs alone
 * through the `verifynow-sandbox` command.
 *
 * @example
 * const sandbox = await VerifyNowSandbox.start({ code: '123456' });
 * // point anything at sandbox.url
 * await sandbox.close();
 */
export class VerifyNowSandbox {
  // A thin facade: VerifyNow's state and routes (lib/providers/verifynow/sandbox)
  // behind the provider-neutral server, router and outbox of this folder.
  private readonly state: VerifyNowSandboxState;
  private readonly sent = new SandboxOutbox<VerifyNowSandboxMessage>();
  private readonly router: SandboxRouter;
  private readonly server: SandboxServer;

  constructor(options: VerifyNowSandboxOptions = {}) {
    this.state = new VerifyNowSandboxState(options, (message) => this.sent.deliver(message));
    this.router = new SandboxRouter(options.now)
      .add(verifyNowSandboxRoutes(this.state))
      .add(this.sent.routes());
    this.server = new SandboxServer(this.router);
  }

  /** Creates a sandbox and starts it on loopback; port 0 picks a free one. */
  static async start(
    options: VerifyNowSandboxOptions & { port?: number; host?: string } = {},
  ): Promise<VerifyNowSandbox> {
    const { port, host, ...settings } = options;
    const sandbox = new VerifyNowSandbox(settings);
    await sandbox.listen(port, host);
    return sandbox;
  }

  /** Starts listening and resolves with the base URL. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.server.listen(port, host);
  }

  /** The base URL, once listening. */
  get url(): string {
    return this.server.url;
  }

  /**
   * Lets the process exit while the sandbox is all that is left listening (as
   * `server.unref()` does); requests in flight still keep it alive.
   */
  unref(): this {
    this.server.unref();
    return this;
  }

  /** Stops listening and closes every open connection. */
  close(): Promise<void> {
    return this.server.close();
  }

  /** Closes the sandbox with the Nest application that started it. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Requests served so far, per endpoint. */
  stats(): VerifyNowSandboxStats {
    return {
      token: this.router.count('token'),
      send: this.router.count('send'),
      validate: this.router.count('validate'),
    };
  }

  /** The requests received so far, newest last (at most the last 1000). */
  requests(): VerifyNowSandboxRequest[] {
    return this.server.requests();
  }

  /** The codes sent so far, newest last (at most the last 1000); optionally for one number only. */
  outbox(phoneNumber?: string): VerifyNowSandboxMessage[] {
    return this.sent.list(phoneNumber);
  }

  /** The newest code sent to a number (`+` and digits, or digits alone). */
  latestCode(phoneNumber: string): string | undefined {
    return this.sent.latestCode(phoneNumber);
  }

  /** Calls `listener` for each code sent; returns a function that stops it. */
  onMessage(listener: (message: VerifyNowSandboxMessage) => void): () => void {
    return this.sent.onMessage(listener);
  }

  /** Makes every token issued so far invalid: the next send or validate gets HTTP 401. */
  revokeTokens(): void {
    this.state.tokens.revoke();
  }

  /** Forgets every verification, message and count; tokens stay valid. */
  reset(): void {
    this.state.reset();
    this.sent.clear();
    this.server.clearRequests();
    this.router.resetCounts();
  }
}
