import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedVerifyNowOptions } from '../../config/verifynow-options.resolver';
import { VerificationLedger } from '../../ledger/verification.ledger';
import { OtpDeliveryReport } from '../../otp/otp-delivery.report';
import {
  VERIFYNOW_CLOCK,
  VERIFYNOW_RESOLVED_OPTIONS,
  type VerifyNowClock,
} from '../../verifynow.internal-constants';
import { isVerihubsStatus } from './verihubs-delivery.statuses';
import { callbackMatches, readSendData } from './verihubs-send.data';

/** What a callback request carries, however the HTTP platform parses it. */
interface CallbackRequest {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

/** What the route answers: nothing to read, for Verihubs or anyone else. */
type Answer = 'ok' | 'refused';

/**
 * Verihubs' delivery callbacks (`verihubs.callback`): mounts `GET <path>/:token`
 * on the application's HTTP server (Express or Fastify, outside any global
 * prefix) and keeps each status on its verification in the ledger, readable
 * through `VerifyNowService.deliveryStatus()`.
 *
 * Authenticated by the unguessable token each send puts in its `callback_url`,
 * checked against the digest the ledger keeps sealed: a callback without the
 * right token is refused (403); an unknown session, an unknown status and a
 * replay are ignored (200), never errors.
 *
 * @internal
 */
@Injectable()
export class VerihubsCallbackRoute implements OnModuleInit {
  private readonly logger = new Logger('VerihubsCallback');

  /** @internal */
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly ledger: VerificationLedger,
    private readonly deliveries: OtpDeliveryReport,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {}

  onModuleInit(): void {
    const callback = this.options.verihubs?.callback;
    if (callback === undefined || !this.options.providers.includes('verihubs')) {
      return;
    }
    const adapter = this.adapterHost.httpAdapter;
    if (adapter === undefined || adapter === null) {
      throw new Error(
        'verihubs.callback needs an HTTP application (NestFactory.create) to mount its route on; remove it, or start the application over HTTP.',
      );
    }
    const path = `${callback.path.replace(/\/+$/, '')}/:token`;
    adapter.get(path, (request: CallbackRequest, response: unknown) => {
      const answer = (body: { ok: boolean }, status: number): void => {
        adapter.reply(response, body, status);
      };
      void this.receive(request).then(
        (outcome) => answer({ ok: outcome === 'ok' }, outcome === 'ok' ? 200 : 403),
        () => answer({ ok: false }, 503),
      );
    });
    this.logger.log(`Verihubs delivery callbacks are received at GET ${path}`);
  }

  /** Checks one callback and keeps its status; never throws for what a caller sent. */
  async receive({ params, query }: CallbackRequest): Promise<Answer> {
    const token = typeof params?.token === 'string' ? params.token : '';
    const session = typeof query?.session_id === 'string' ? query.session_id : '';
    const statusText = typeof query?.status === 'string' ? query.status.trim() : '';
    const status = /^\d{1,3}$/.test(statusText) ? Number(statusText) : NaN;
    const record = /^[\w-]{1,128}$/.test(session) ? await this.ledger.get(session) : undefined;
    if (record === undefined || record.provider !== 'verihubs') {
      this.logger.debug({
        event: 'verihubs.callback',
        outcome: 'ignored',
        reason: 'unknown session',
      });
      return 'ok';
    }
    const data = readSendData(record.providerData);
    if (data === undefined || !callbackMatches(data, token)) {
      this.logger.warn({ event: 'verihubs.callback', outcome: 'refused', verificationId: session });
      return 'refused';
    }
    if (!isVerihubsStatus(data.channel, status)) {
      this.logger.debug({
        event: 'verihubs.callback',
        outcome: 'ignored',
        reason: 'unknown status',
      });
      return 'ok';
    }
    const report = { status, at: this.clock.now() };
    const outcome = await this.ledger.addDelivery(session, report);
    this.logger.debug({ event: 'verihubs.callback', outcome, verificationId: session, status });
    if (outcome === 'added') {
      this.deliveries.kept(record, report);
    }
    return 'ok';
  }
}
