import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { sanitizeText } from '../redaction/redact.util';
import { VerifyNowRedisClient, connectRedis } from './redis.client';

/**
 * The module's Redis connection, when state is shared: opened from
 * `store.redis.url` (and closed with the application), or the client the
 * application gave (left for the application to close).
 *
 * @internal
 */
export class VerifyNowRedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('VerifyNowRedis');

  private constructor(
    readonly client: VerifyNowRedisClient,
    private readonly owned: boolean,
  ) {}

  /**
   * Warns when the server may evict keys: an evicted ledger entry refuses a
   * valid proof, an evicted counter resets a send limit. Only `noeviction` keeps
   * them. A server that hides its configuration (managed Redis) is not an error.
   */
  async onModuleInit(): Promise<void> {
    let policy: string | undefined;
    try {
      policy = await this.evictionPolicy();
    } catch {
      this.logger.debug('Could not read the Redis maxmemory-policy (CONFIG GET was refused).');
      return;
    }
    if (policy !== undefined && policy !== 'noeviction') {
      this.logger.warn(
        `Redis maxmemory-policy is ${policy}: under memory pressure the server may evict the verification ledger and the send counters (valid proofs refused, send limits reset). Set maxmemory-policy noeviction for the keys of this module.`,
      );
    }
  }

  /**
   * The server's `maxmemory-policy`, or `undefined` when the client cannot ask.
   *
   * @throws when the server refuses `CONFIG GET` (managed Redis) or does not answer.
   */
  async evictionPolicy(): Promise<string | undefined> {
    const answer = await this.client.config?.('GET', 'maxmemory-policy');
    const policy: unknown = Array.isArray(answer) ? answer[1] : undefined;
    return typeof policy === 'string' ? policy : undefined;
  }

  /** The connection the options ask for, or `null` when state stays in memory. */
  static fromOptions(options: ResolvedVerifyNowOptions): VerifyNowRedisConnection | null {
    const redis = options.store.redis;
    if (redis === undefined) {
      return null;
    }
    if (redis.client !== undefined) {
      return new VerifyNowRedisConnection(redis.client, false);
    }
    const logger = new Logger('VerifyNowRedis');
    let lastLog = 0;
    // ioredis reconnects by itself; say so at most every 10 s, without the URL's password.
    const client = connectRedis(redis.url as string, options.timeoutMs, (error) => {
      const now = Date.now();
      if (now - lastLog >= 10_000) {
        lastLog = now;
        logger.warn(`Redis connection error: ${sanitizeText(error.message, options.secrets)}`);
      }
    });
    return new VerifyNowRedisConnection(client, true);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.owned) {
      // A server that is gone answers no QUIT: stop reconnecting, or the process never exits.
      await this.client.quit().catch(() => this.client.disconnect?.());
    }
  }
}
