import {
  VERIHUBS_SANDBOX_COUNTERS,
  verihubsSandboxRoutes,
} from '../providers/verihubs/sandbox/verihubs-sandbox.routes';
import { VerihubsSandboxState } from '../providers/verihubs/sandbox/verihubs-sandbox.state';
import {
  VerihubsSandboxMessage,
  VerihubsSandboxOptions,
} from '../providers/verihubs/sandbox/verihubs-sandbox.types';
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
export type {
  VerihubsSandboxChannel,
  VerihubsSandboxMessage,
  VerihubsSandboxOptions,
} from '../providers/verihubs/sandbox/verihubs-sandbox.types';
export type { VerifyNowSandboxRequest } from './sandbox.types';

/** The providers a sandbox serves when its options name none. */
const ALL_PROVIDERS = ['verifynow', 'verihubs'] as const;

/**
 * A local stand-in for the VerifyNow API and for Verihubs' OTP API, on one
 * server. VerifyNow: the same token, send and validate endpoints (v3 and v2
 * paths). Verihubs: SMS and WhatsApp send and verify (`/v2/otp/*`,
 * `/v2/whatsapp/otp/*`, each also under `/sandbox`), with delivery callbacks.
 * The same answers and codes as the providers', no account and no message.
 * Magic numbers produce every documented outcome; codes are random (or fixed)
 * and readable from `GET /sandbox/outbox`, {@link VerifyNowSandbox.messages} or
 * {@link VerifyNowSandbox.latestCode}.
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
  // A thin facade: each provider's state and routes (lib/providers/*/sandbox)
  // behind the provider-neutral server, router and outbox of this folder. One
  // outbox holds both providers' messages, told apart by their `provider`.
  private readonly state: VerifyNowSandboxState;
  private readonly verihubs: VerihubsSandboxState;
  private readonly sent = new SandboxOutbox<VerifyNowSandboxMessage | VerihubsSandboxMessage>();
  private readonly router: SandboxRouter;
  private readonly server: SandboxServer;

  /** @throws Error when `providers` is empty or names an unknown provider. */
  constructor(options: VerifyNowSandboxOptions = {}) {
    const providers = checkProviders(options.providers ?? ALL_PROVIDERS);
    this.state = new VerifyNowSandboxState(options, (message) =>
      this.sent.deliver({ provider: 'verifynow', ...message }),
    );
    this.verihubs = new VerihubsSandboxState(verihubsOptions(options), (message) =>
      this.sent.deliver(message),
    );
    this.router = new SandboxRouter(options.now);
    if (providers.includes('verifynow')) {
      this.router.add(verifyNowSandboxRoutes(this.state));
    }
    if (providers.includes('verihubs')) {
      this.router.add(verihubsSandboxRoutes(this.verihubs));
    }
    this.router.add(this.sent.routes());
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

  /** Stops listening, closes every open connection and drops the Verihubs callbacks not made yet. */
  close(): Promise<void> {
    this.verihubs.callbacks.clear();
    return this.server.close();
  }

  /** Closes the sandbox with the Nest application that started it. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Requests served so far, per endpoint: VerifyNow's, then Verihubs' (SMS and WhatsApp together). */
  stats(): VerifyNowSandboxStats & {
    /** Verihubs sends, SMS and WhatsApp, refused ones included. */
    verihubsSend: number;
    /** Verihubs verifies, SMS and WhatsApp, refused ones included. */
    verihubsVerify: number;
  } {
    return {
      token: this.router.count('token'),
      send: this.router.count('send'),
      validate: this.router.count('validate'),
      verihubsSend: this.router.count(VERIHUBS_SANDBOX_COUNTERS.send),
      verihubsVerify: this.router.count(VERIHUBS_SANDBOX_COUNTERS.verify),
    };
  }

  /** The requests received so far, newest last (at most the last 1000). */
  requests(): VerifyNowSandboxRequest[] {
    return this.server.requests();
  }

  /**
   * The codes VerifyNow's routes sent so far, newest last; optionally for one
   * number only. The outbox keeps the last 1000 messages of both providers.
   */
  outbox(phoneNumber?: string): VerifyNowSandboxMessage[] {
    return this.sent.list(phoneNumber).filter(isVerifyNowMessage);
  }

  /**
   * The codes Verihubs' routes sent so far (SMS and WhatsApp), newest last;
   * optionally for one number only (`+` and digits, or digits alone).
   */
  verihubsOutbox(phoneNumber?: string): VerihubsSandboxMessage[] {
    return this.sent.list(phoneNumber).filter(isVerihubsMessage);
  }

  /**
   * The codes both providers sent so far, newest last (at most the last 1000),
   * each with its `provider`; optionally for one number only.
   */
  messages(phoneNumber?: string): (VerifyNowSandboxMessage | VerihubsSandboxMessage)[] {
    return this.sent.list(phoneNumber);
  }

  /** The newest code sent to a number by either provider (`+` and digits, or digits alone). */
  latestCode(phoneNumber: string): string | undefined {
    return this.sent.latestCode(phoneNumber);
  }

  /** Calls `listener` for each code VerifyNow's routes send; returns a function that stops it. */
  onMessage(listener: (message: VerifyNowSandboxMessage) => void): () => void {
    return this.sent.onMessage((message) => {
      if (isVerifyNowMessage(message)) {
        listener(message);
      }
    });
  }

  /** Calls `listener` for each code either provider sends; returns a function that stops it. */
  onAnyMessage(
    listener: (message: VerifyNowSandboxMessage | VerihubsSandboxMessage) => void,
  ): () => void {
    return this.sent.onMessage(listener);
  }

  /** Makes every VerifyNow token issued so far invalid: the next send or validate gets HTTP 401. */
  revokeTokens(): void {
    this.state.tokens.revoke();
  }

  /**
   * Forgets every verification and code of both providers, every message and
   * count, and drops the Verihubs callbacks not made yet; VerifyNow tokens stay valid.
   */
  reset(): void {
    this.state.reset();
    this.verihubs.reset();
    this.sent.clear();
    this.server.clearRequests();
    this.router.resetCounts();
  }
}

/** Whether a message of the outbox is VerifyNow's. */
function isVerifyNowMessage(
  message: VerifyNowSandboxMessage | VerihubsSandboxMessage,
): message is VerifyNowSandboxMessage {
  return message.provider !== 'verihubs';
}

/** Whether a message of the outbox is Verihubs'. */
function isVerihubsMessage(
  message: VerifyNowSandboxMessage | VerihubsSandboxMessage,
): message is VerihubsSandboxMessage {
  return message.provider === 'verihubs';
}

/** The providers to serve, checked: at least one, each known. */
function checkProviders(providers: readonly string[]): readonly string[] {
  const unknown = providers.filter((name) => !(ALL_PROVIDERS as readonly string[]).includes(name));
  if (providers.length === 0 || unknown.length > 0) {
    throw new Error(
      `VerifyNowSandbox: providers must name one or more of ${ALL_PROVIDERS.join(', ')}` +
        (unknown.length > 0
          ? `, not ${unknown.map((name) => JSON.stringify(name)).join(', ')}`
          : ''),
    );
  }
  return providers;
}

/** Verihubs' settings, its fixed code and clock defaulting to the sandbox's. */
function verihubsOptions(options: VerifyNowSandboxOptions): VerihubsSandboxOptions {
  const own = options.verihubs ?? {};
  return { ...own, code: own.code ?? options.code, now: own.now ?? options.now };
}
