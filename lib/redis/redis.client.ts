import { createHash } from 'node:crypto';
import { VerifyNowConfigurationError } from '../errors/verifynow-configuration.error';

/**
 * The few Redis commands the module uses, as ioredis offers them. Typed here so
 * that the package's types do not depend on ioredis, an optional peer.
 */
export interface VerifyNowRedisClient {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  quit(): Promise<unknown>;
  /** Closes at once and stops reconnecting: for a server that does not answer `QUIT`. */
  disconnect?(): void;
  /** `CONFIG GET`, to warn at boot when the server may evict the ledger's keys. */
  config?(subcommand: 'GET', parameter: string): Promise<unknown>;
}

interface IoRedisModule {
  default?: new (
    url: string,
    options: Record<string, unknown>,
  ) => VerifyNowRedisClient & {
    on(event: 'error', listener: (error: Error) => void): unknown;
  };
}

/**
 * Connects to Redis with ioredis, loaded only now so that applications without
 * Redis need not install it. Commands fail after `timeoutMs` rather than wait
 * for a server that is down: the module then fails closed.
 *
 * @throws VerifyNowConfigurationError when ioredis is not installed.
 * @internal
 */
export function connectRedis(
  url: string,
  timeoutMs: number,
  onError: (error: Error) => void,
): VerifyNowRedisClient {
  let ioredis: IoRedisModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ioredis = require('ioredis') as IoRedisModule;
  } catch {
    throw new VerifyNowConfigurationError([
      'store.redis (VERIFYNOW_REDIS_URL) needs the ioredis package: npm install ioredis',
    ]);
  }
  const Redis = ioredis.default;
  if (Redis === undefined) {
    throw new VerifyNowConfigurationError(['store.redis needs ioredis 5 or later']);
  }
  const client = new Redis(url, {
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
  });
  client.on('error', onError);
  return client;
}

/**
 * A Lua script run with EVALSHA, falling back to EVAL once when the server does
 * not know it yet (after a restart or on a new server).
 *
 * @internal
 */
export class RedisScript {
  private readonly sha1: string;

  constructor(private readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(
    client: VerifyNowRedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}
