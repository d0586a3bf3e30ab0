import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, STATUS_CODES, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { VerifyNowResponseCode, responseCodeName } from '../errors/response-codes';
import { VERIFYNOW_FLOW_TYPES } from '../interfaces/verifynow-module-options.interface';
import { isKnownDialCode } from '../phone/phone-number';
import { FOREIGN_HOST_MESSAGE, isLoopbackRequest } from './sandbox-loopback';
import { MagicSendOutcome, httpStatusForCode, magicOutcome } from './sandbox-magic-numbers';
import { SandboxTokenSigner } from './sandbox-jwt';

/** Settings of a {@link VerifyNowSandbox}. */
export interface VerifyNowSandboxOptions {
  /** Accept only this customer id at the token endpoint; any when unset. */
  customerId?: string;
  /** Accept only this password (sent Base64-encoded as `key`); any when unset. */
  password?: string;
  /** Pre-issued tokens the sandbox accepts besides its own. */
  staticTokens?: readonly string[];
  /**
   * A fixed code for every verification; random digits when unset.
   * @example '123456'
   */
  code?: string;
  /**
   * Lifetime of issued tokens (their JWT `exp`).
   * @default 3600
   */
  tokenTtlSeconds?: number;
  /**
   * How long a code stays valid (the send's `timeout`).
   * @default 60
   */
  codeTtlSeconds?: number;
  /**
   * Wrong codes a verification takes; after that it answers 800 MAXIMUM_LIMIT_REACHED.
   * @default 5
   */
  maxAttempts?: number;
  /** The clock, in milliseconds; tests replace it. @default Date.now */
  now?: () => number;
}

/** A code the sandbox "sent": what a real account would have delivered by SMS. */
export interface VerifyNowSandboxMessage {
  verificationId: string;
  /** Dial code, e.g. `'91'`. */
  countryCode: string;
  /** Number without the dial code. */
  mobileNumber: string;
  /** `+` dial code and number. */
  phoneNumber: string;
  /** The code itself. */
  code: string;
  flowType: string;
  /** ISO timestamp. */
  sentAt: string;
}

/** One request the sandbox received: method and path, never the query (it holds secrets). */
export interface VerifyNowSandboxRequest {
  method: string;
  path: string;
}

/** How many requests of each kind the sandbox has served. */
export interface VerifyNowSandboxStats {
  token: number;
  send: number;
  validate: number;
}

interface Verification {
  id: string;
  customerId: string;
  phoneNumber: string;
  mobileNumber: string;
  code: string;
  expiresAt: number;
  attempts: number;
  verified: boolean;
  transactionId: string;
  /** A magic number's fixed validation outcome. */
  outcome?: MagicSendOutcome;
}

type Query = URLSearchParams;

const TOKEN_PATH = '/auth/v1/authentication/token';
const SEND_PATHS = new Set(['/verification/v3/send', '/verification/v2/verification/send']);
const VALIDATE_PATHS = new Set([
  '/verification/v3/validateOtp',
  '/verification/v3/validateOtp/',
  '/verification/v2/verification/validateOtp',
]);
const OUTBOX_PATH = '/sandbox/outbox';
/** Bound of the outbox and of the request log. */
const OUTBOX_LIMIT = 1000;
/** Finished verifications are kept this long after expiry, to answer 705/703 instead of 505. */
const RETENTION_MS = 10 * 60_000;
const SWEEP_INTERVAL_MS = 30_000;

const FLOW_TYPES = new Set<string>(VERIFYNOW_FLOW_TYPES);

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
  private readonly server: Server;
  private readonly signer = new SandboxTokenSigner();
  private readonly verifications = new Map<string, Verification>();
  private readonly pendingByPhone = new Map<string, string>();
  private readonly messages: VerifyNowSandboxMessage[] = [];
  private readonly received: VerifyNowSandboxRequest[] = [];
  private readonly listeners = new Set<(message: VerifyNowSandboxMessage) => void>();
  private readonly counts: VerifyNowSandboxStats = { token: 0, send: 0, validate: 0 };
  private readonly now: () => number;
  private generation = 0;
  private nextId = 100_000 + randomInt(800_000);
  private lastSweep = 0;
  private address: string | undefined;

  constructor(private readonly options: VerifyNowSandboxOptions = {}) {
    this.now = options.now ?? Date.now;
    // A request without Host reaches handle(), which refuses it with a clear answer.
    this.server = createServer({ requireHostHeader: false }, (request, response) =>
      this.handle(request, response),
    );
    this.server.keepAliveTimeout = 5_000;
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
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const { port: bound } = this.server.address() as AddressInfo;
        this.address = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
        resolve(this.address);
      });
    });
  }

  /** The base URL, once listening. */
  get url(): string {
    if (this.address === undefined) {
      throw new Error('The VerifyNow sandbox is not listening yet: call listen() first.');
    }
    return this.address;
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
    if (!this.server.listening) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Closes the sandbox with the Nest application that started it. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Requests served so far, per endpoint. */
  stats(): VerifyNowSandboxStats {
    return { ...this.counts };
  }

  /** The requests received so far, newest last (at most the last 1000). */
  requests(): VerifyNowSandboxRequest[] {
    return [...this.received];
  }

  /** The codes sent so far, newest last (at most the last 1000); optionally for one number only. */
  outbox(phoneNumber?: string): VerifyNowSandboxMessage[] {
    const wanted = phoneNumber === undefined ? undefined : normalizePhone(phoneNumber);
    return this.messages.filter(
      (message) => wanted === undefined || message.phoneNumber === wanted,
    );
  }

  /** The newest code sent to a number (`+` and digits, or digits alone). */
  latestCode(phoneNumber: string): string | undefined {
    return this.outbox(phoneNumber).at(-1)?.code;
  }

  /** Calls `listener` for each code sent; returns a function that stops it. */
  onMessage(listener: (message: VerifyNowSandboxMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes every token issued so far invalid: the next send or validate gets HTTP 401. */
  revokeTokens(): void {
    this.generation += 1;
  }

  /** Forgets every verification, message and count; tokens stay valid. */
  reset(): void {
    this.verifications.clear();
    this.pendingByPhone.clear();
    this.messages.length = 0;
    this.received.length = 0;
    this.counts.token = 0;
    this.counts.send = 0;
    this.counts.validate = 0;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    // The upstream takes every parameter in the query string; a body is read and dropped.
    request.resume();
    // DNS rebinding: a web page on a name that resolves to loopback could
    // otherwise read the outbox's codes. Only loopback names and addresses pass.
    if (!isLoopbackRequest(request)) {
      return sendJson(response, 403, {
        status: 403,
        error: 'Forbidden',
        message: FOREIGN_HOST_MESSAGE,
      });
    }
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    pushBounded(this.received, { method, path });
    if (path === TOKEN_PATH) {
      return this.expect('GET', method, path, response, () =>
        this.token(url.searchParams, response),
      );
    }
    if (SEND_PATHS.has(path)) {
      return this.expect('POST', method, path, response, () =>
        this.send(url.searchParams, request, response, path.includes('/v2/')),
      );
    }
    if (VALIDATE_PATHS.has(path)) {
      return this.expect('GET', method, path, response, () =>
        this.validate(url.searchParams, request, response, path.includes('/v2/')),
      );
    }
    if (path === OUTBOX_PATH) {
      return this.expect('GET', method, path, response, () => {
        const phone = url.searchParams.get('phoneNumber') ?? undefined;
        sendJson(response, 200, { messages: this.outbox(phone) });
      });
    }
    sendHtml(response, 404);
  }

  private expect(
    allowed: string,
    method: string,
    path: string,
    response: ServerResponse,
    handler: () => void,
  ): void {
    if (method !== allowed) {
      response.setHeader('Allow', allowed);
      sendJson(response, 405, {
        timestamp: new Date(this.now()).toISOString(),
        status: 405,
        error: 'Method Not Allowed',
        path,
      });
      return;
    }
    handler();
  }

  private token(query: Query, response: ServerResponse): void {
    this.counts.token += 1;
    const customerId = query.get('customerId');
    const key = query.get('key');
    const scope = query.get('scope');
    // The upstream reports bad credentials inside an HTTP 200.
    if (
      !customerId ||
      (this.options.customerId !== undefined && customerId !== this.options.customerId)
    ) {
      return sendJson(response, 200, { status: 400, error: 'customerId is invalid' });
    }
    if (!key || !this.passwordMatches(key)) {
      return sendJson(response, 200, { status: 400, error: 'password is wrong' });
    }
    if (scope !== null && scope !== 'NEW') {
      return sendJson(response, 200, { status: 400, error: 'scope is invalid' });
    }
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + (this.options.tokenTtlSeconds ?? 3600);
    const token = this.signer.sign({ sub: customerId, iat, exp, gen: this.generation });
    sendJson(response, 200, { status: 200, token });
  }

  private passwordMatches(key: string): boolean {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
      return false;
    }
    if (this.options.password === undefined) {
      return true;
    }
    const given = Buffer.from(key, 'base64');
    const expected = Buffer.from(this.options.password, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The customer id of a valid token, or `undefined` after answering 401. */
  private authenticate(request: IncomingMessage, response: ServerResponse): string | undefined {
    const header = request.headers.authtoken;
    const token = Array.isArray(header) ? header[0] : header;
    if (token !== undefined && this.options.staticTokens?.includes(token)) {
      return this.options.customerId ?? 'C-SANDBOX';
    }
    const claims = token === undefined ? undefined : this.signer.verify(token);
    if (claims === undefined || claims.gen !== this.generation || claims.exp * 1000 <= this.now()) {
      sendJson(response, 401, { status: 401, error: 'Unauthorized' });
      return undefined;
    }
    return claims.sub;
  }

  private send(
    query: Query,
    request: IncomingMessage,
    response: ServerResponse,
    v2: boolean,
  ): void {
    this.counts.send += 1;
    const customerId = this.authenticate(request, response);
    if (customerId === undefined) {
      return;
    }
    const queryCustomer = query.get('customerId');
    if (v2 && !queryCustomer) {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'customerId is required');
    }
    if (queryCustomer && queryCustomer !== customerId) {
      return business(response, VerifyNowResponseCode.INVALID_CUSTOMER_ID);
    }
    const countryCode = query.get('countryCode') ?? '';
    const mobileNumber = query.get('mobileNumber') ?? '';
    const flowType = query.get('flowType') ?? '';
    const otpLengthText = query.get('otpLength');
    if (!/^\d{1,4}$/.test(countryCode)) {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'countryCode is required');
    }
    if (!/^\d{4,16}$/.test(mobileNumber)) {
      return business(
        response,
        VerifyNowResponseCode.BAD_REQUEST,
        'mobileNumber must be 4 to 16 digits',
      );
    }
    if (!FLOW_TYPES.has(flowType)) {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'flowType is invalid');
    }
    const otpLength = otpLengthText === null ? 4 : Number(otpLengthText);
    if (!Number.isInteger(otpLength) || otpLength < 4 || otpLength > 8) {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'otpLength must be 4 to 8');
    }
    if (!isKnownDialCode(countryCode)) {
      return business(response, VerifyNowResponseCode.INVALID_COUNTRY_CODE);
    }

    const fullNumber = countryCode + mobileNumber;
    const outcome = magicOutcome(fullNumber);
    if (outcome?.kind === 'send-json') {
      if (outcome.retryAfter !== undefined) {
        response.setHeader('Retry-After', String(outcome.retryAfter));
      }
      return sendJson(response, outcome.httpStatus, {
        responseCode: outcome.responseCode,
        message: outcome.message ?? codeMessage(outcome.responseCode),
        data: null,
      });
    }
    if (outcome?.kind === 'send-html') {
      return sendHtml(response, outcome.httpStatus);
    }

    const now = this.now();
    this.sweep(now);
    const phoneNumber = `+${fullNumber}`;
    const pending = this.pendingVerification(phoneNumber, now);
    if (pending) {
      return business(response, VerifyNowResponseCode.REQUEST_ALREADY_EXISTS, undefined, {
        verificationId: pending.id,
        mobileNumber,
        responseCode: String(VerifyNowResponseCode.REQUEST_ALREADY_EXISTS),
        errorMessage: 'REQUEST_ALREADY_EXISTS',
        timeout: String(Math.max(0, Math.ceil((pending.expiresAt - now) / 1000))),
        smCLI: null,
        transactionId: pending.transactionId,
      });
    }

    const ttlSeconds = this.options.codeTtlSeconds ?? 60;
    const verification: Verification = {
      id: String(this.nextId++),
      customerId,
      phoneNumber,
      mobileNumber,
      code: this.options.code ?? randomDigits(otpLength),
      expiresAt: now + ttlSeconds * 1000,
      attempts: 0,
      verified: false,
      transactionId: randomUUID(),
      outcome,
    };
    this.verifications.set(verification.id, verification);
    this.pendingByPhone.set(phoneNumber, verification.id);
    this.deliver({
      verificationId: verification.id,
      countryCode,
      mobileNumber,
      phoneNumber,
      code: verification.code,
      flowType,
      sentAt: new Date(now).toISOString(),
    });
    sendJson(response, outcome?.kind === 'accept' ? outcome.httpStatus : 200, {
      responseCode: VerifyNowResponseCode.SUCCESS,
      message: outcome?.kind === 'accept' ? outcome.message : 'SUCCESS',
      data: {
        verificationId: verification.id,
        mobileNumber,
        responseCode: '200',
        errorMessage: null,
        timeout: String(ttlSeconds),
        smCLI: null,
        transactionId: verification.transactionId,
      },
    });
  }

  private validate(
    query: Query,
    request: IncomingMessage,
    response: ServerResponse,
    v2: boolean,
  ): void {
    this.counts.validate += 1;
    const customerId = this.authenticate(request, response);
    if (customerId === undefined) {
      return;
    }
    const queryCustomer = query.get('customerId');
    if (v2 && !queryCustomer) {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'customerId is required');
    }
    if (queryCustomer && queryCustomer !== customerId) {
      return business(response, VerifyNowResponseCode.INVALID_CUSTOMER_ID);
    }
    const verificationId = query.get('verificationId') ?? '';
    const code = query.get('code') ?? '';
    if (!/^\d{1,19}$/.test(verificationId)) {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'verificationId is invalid');
    }
    if (code === '') {
      return business(response, VerifyNowResponseCode.BAD_REQUEST, 'code is required');
    }
    const verification = this.verifications.get(verificationId);
    if (!verification || verification.customerId !== customerId) {
      return business(response, VerifyNowResponseCode.INVALID_VERIFICATION_ID);
    }
    const outcome = verification.outcome;
    if (outcome?.kind === 'validate-json') {
      return business(response, outcome.responseCode);
    }
    if (outcome?.kind === 'validate-html') {
      return sendHtml(response, outcome.httpStatus);
    }
    const now = this.now();
    if (verification.verified) {
      return business(response, VerifyNowResponseCode.ALREADY_VERIFIED);
    }
    if (now >= verification.expiresAt) {
      this.release(verification);
      return business(response, VerifyNowResponseCode.VERIFICATION_EXPIRED);
    }
    if (verification.attempts >= (this.options.maxAttempts ?? 5)) {
      return business(response, VerifyNowResponseCode.MAXIMUM_LIMIT_REACHED);
    }
    if (!sameCode(code, verification.code)) {
      verification.attempts += 1;
      return business(response, VerifyNowResponseCode.WRONG_OTP_PROVIDED);
    }
    verification.verified = true;
    this.release(verification);
    sendJson(response, 200, {
      responseCode: VerifyNowResponseCode.SUCCESS,
      message: 'SUCCESS',
      data: {
        verficationId: verification.id,
        mobileNumber: verification.mobileNumber,
        responseCode: '200',
        errorMessage: null,
        verificationStatus: 'VERIFICATION_COMPLETED',
        authToken: null,
        transactionId: verification.transactionId,
      },
    });
  }

  private pendingVerification(phoneNumber: string, now: number): Verification | undefined {
    const id = this.pendingByPhone.get(phoneNumber);
    const verification = id === undefined ? undefined : this.verifications.get(id);
    if (verification && !verification.verified && now < verification.expiresAt) {
      return verification;
    }
    return undefined;
  }

  private release(verification: Verification): void {
    if (this.pendingByPhone.get(verification.phoneNumber) === verification.id) {
      this.pendingByPhone.delete(verification.phoneNumber);
    }
  }

  private deliver(message: VerifyNowSandboxMessage): void {
    pushBounded(this.messages, message);
    for (const listener of this.listeners) {
      listener(message);
    }
  }

  /** Drops verifications long past their expiry, at most every 30 s, without a timer. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) {
      return;
    }
    this.lastSweep = now;
    for (const [id, verification] of this.verifications) {
      if (now - verification.expiresAt > RETENTION_MS) {
        this.verifications.delete(id);
        this.release(verification);
      }
    }
  }
}

/** Appends, dropping the oldest entries beyond {@link OUTBOX_LIMIT}. */
function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > OUTBOX_LIMIT) {
    list.splice(0, list.length - OUTBOX_LIMIT);
  }
}

function normalizePhone(phone: string): string {
  return `+${phone.replace(/\D/g, '')}`;
}

function randomDigits(length: number): string {
  let digits = '';
  for (let i = 0; i < length; i += 1) {
    digits += String(randomInt(10));
  }
  return digits;
}

function sameCode(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function codeMessage(responseCode: number): string {
  return responseCodeName(responseCode) ?? `ERROR_${responseCode}`;
}

function business(
  response: ServerResponse,
  responseCode: number,
  message = codeMessage(responseCode),
  data: Record<string, unknown> | null = null,
): void {
  if (responseCode === VerifyNowResponseCode.MAXIMUM_LIMIT_REACHED) {
    response.setHeader('Retry-After', '60');
  }
  sendJson(response, httpStatusForCode(responseCode), { responseCode, message, data });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Answers like a Spring Boot service without an error view: the "Whitelabel Error Page". */
function sendHtml(response: ServerResponse, status: number): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const html =
    '<html><body><h1>Whitelabel Error Page</h1>' +
    '<p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p>' +
    `<div>${new Date().toUTCString()}</div>` +
    `<div>There was an unexpected error (type=${reason}, status=${status}).</div></body></html>`;
  response.writeHead(status, {
    'Content-Type': 'text/html;charset=UTF-8',
    'Content-Length': Buffer.byteLength(html),
  });
  response.end(html);
}
