import { randomUUID } from 'node:crypto';
import { RedisScript, VerifyNowRedisClient } from '../redis/redis.client';
import {
  VerificationClaim,
  VerificationEntry,
  VerificationOutcome,
  VerificationRecord,
  VerificationState,
  VerifyNowStore,
  DeliveryOutcome,
  DeliveryReport,
} from './verifynow-store.interface';

// Each script touches one verification's keys only; the {id} hash tag keeps them
// in one slot, so the store also works on Redis Cluster.

const RECORD = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'subject', ARGV[1], 'purpose', ARGV[2], 'stepUp', ARGV[3], 'issuedAt', ARGV[4], 'failures', '0', 'state', 'open', 'provider', ARGV[6], 'providerData', ARGV[7], 'channel', ARGV[8], 'phone', ARGV[9])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`);

const CLAIM = new RedisScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if state == 'consumed' then return {'consumed'} end
if redis.call('HEXISTS', KEYS[1], 'locked') == 1 then return {'locked'} end
if tonumber(redis.call('HGET', KEYS[1], 'failures')) >= tonumber(ARGV[3]) then return {'locked'} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {'claimed', state, redis.call('HGET', KEYS[1], 'digest') or ''}
end
return {'busy'}
`);

const SETTLE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[2] == 'verified' then
    redis.call('HSET', KEYS[1], 'state', 'consumed', 'spentBy', ARGV[1])
    if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'digest', ARGV[3]) end
  elseif ARGV[2] == 'failed' or ARGV[2] == 'locked' then
    redis.call('HINCRBY', KEYS[1], 'failures', 1)
    if ARGV[2] == 'locked' then redis.call('HSET', KEYS[1], 'locked', '1') end
  end
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
`);

const RESTORE = new RedisScript(`
if redis.call('HGET', KEYS[1], 'state') == 'consumed' and redis.call('HGET', KEYS[1], 'spentBy') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'state', 'verified')
  redis.call('HDEL', KEYS[1], 'spentBy')
  return 1
end
return 0
`);

// Delivery reports as ";status@at" entries; a status already there is a replay.
const ADD_DELIVERY = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
local delivery = redis.call('HGET', KEYS[1], 'delivery') or ''
if string.find(delivery, ';' .. ARGV[1] .. '@', 1, true) then return 'replayed' end
if string.len(delivery) > 4096 then return 'replayed' end
redis.call('HSET', KEYS[1], 'delivery', delivery .. ';' .. ARGV[1] .. '@' .. ARGV[2])
return 'added'
`);

const PING = new RedisScript(`
redis.call('SET', KEYS[1], '1', 'PX', 1000)
return 1
`);

/** The stored form of "no purpose". */
const NO_PURPOSE = '';
const STATES = new Set<string>(['open', 'verified', 'consumed']);

/**
 * The verification ledger in Redis, shared by every instance that uses the same
 * server and key prefix. Claims are atomic Lua scripts, so two instances never
 * both accept one proof; records expire with Redis's own TTL.
 */
export class RedisVerifyNowStore implements VerifyNowStore {
  constructor(
    private readonly client: VerifyNowRedisClient,
    private readonly keyPrefix = 'verifynow:',
  ) {}

  async record(entry: VerificationEntry, ttlMs: number): Promise<void> {
    await RECORD.run(
      this.client,
      [this.recordKey(entry.verificationId)],
      [
        entry.subject,
        entry.purpose ?? NO_PURPOSE,
        entry.stepUp ? '1' : '0',
        entry.issuedAt,
        Math.max(1, Math.ceil(ttlMs)),
        entry.provider ?? '',
        entry.providerData ?? '',
        entry.channel ?? '',
        entry.maskedPhone ?? '',
      ],
    );
  }

  async get(verificationId: string): Promise<VerificationRecord | undefined> {
    const fields = await this.client.hgetall(this.recordKey(verificationId));
    if (fields.state === undefined) {
      return undefined;
    }
    return {
      verificationId,
      subject: fields.subject,
      purpose: fields.purpose === NO_PURPOSE ? null : fields.purpose,
      stepUp: fields.stepUp === '1',
      ...(fields.provider ? { provider: fields.provider } : {}),
      ...(fields.providerData ? { providerData: fields.providerData } : {}),
      ...(fields.channel ? { channel: fields.channel } : {}),
      ...(fields.phone ? { maskedPhone: fields.phone } : {}),
      ...(fields.delivery ? { delivery: readDelivery(fields.delivery) } : {}),
      issuedAt: Number(fields.issuedAt),
      failedAttempts: Number(fields.failures),
      ...(fields.locked ? { locked: true } : {}),
      state: STATES.has(fields.state) ? (fields.state as VerificationState) : 'consumed',
    };
  }

  async addDelivery(verificationId: string, report: DeliveryReport): Promise<DeliveryOutcome> {
    const answer = await ADD_DELIVERY.run(
      this.client,
      [this.recordKey(verificationId)],
      [Math.trunc(report.status), Math.trunc(report.at)],
    );
    return answer === 'added' || answer === 'replayed' ? answer : 'unknown';
  }

  async claim(
    verificationId: string,
    leaseMs: number,
    maxFailedAttempts: number,
  ): Promise<VerificationClaim> {
    const token = randomUUID();
    const answer = await CLAIM.run(
      this.client,
      [this.recordKey(verificationId), this.lockKey(verificationId)],
      [token, Math.max(1, Math.ceil(leaseMs)), maxFailedAttempts],
    );
    const [status, state, digest] = Array.isArray(answer) ? (answer as unknown[]) : [answer];
    switch (status) {
      case 'claimed':
        return {
          status,
          token,
          state: state === 'verified' ? 'verified' : 'open',
          codeDigest: typeof digest === 'string' && digest !== '' ? digest : undefined,
        };
      case 'missing':
      case 'consumed':
      case 'busy':
      case 'locked':
        return { status };
      default:
        throw new Error(`Unexpected answer of the claim script: ${String(status)}`);
    }
  }

  async settle(
    verificationId: string,
    token: string,
    outcome: VerificationOutcome,
    codeDigest?: string,
  ): Promise<void> {
    await SETTLE.run(
      this.client,
      [this.recordKey(verificationId), this.lockKey(verificationId)],
      [token, outcome, codeDigest ?? ''],
    );
  }

  async restore(verificationId: string, token: string): Promise<void> {
    await RESTORE.run(this.client, [this.recordKey(verificationId)], [token]);
  }

  /** A real write, so that a server refusing writes (out of memory, read-only) fails it too. */
  async ping(): Promise<void> {
    await PING.run(this.client, [`${this.keyPrefix}{ping}:ledger`], []);
  }

  private recordKey(verificationId: string): string {
    return `${this.keyPrefix}{${verificationId}}:verification`;
  }

  private lockKey(verificationId: string): string {
    return `${this.keyPrefix}{${verificationId}}:claim`;
  }
}

/** The delivery reports of a ";status@at" list. */
function readDelivery(text: string): DeliveryReport[] {
  return text
    .split(';')
    .filter(Boolean)
    .map((entry) => entry.split('@').map(Number))
    .filter(([status, at]) => Number.isInteger(status) && Number.isFinite(at))
    .map(([status, at]) => ({ status, at }));
}
