import { VerifyNowModuleOptions, VerifyNowOverloadedException } from '../lib';
import { FLEET_WINDOW_MS } from '../lib/resilience/fleet-rate.limiter';
import type { RateCap } from '../lib/resilience/rate-cap';
import { VERIFYNOW_RATE_LIMITER } from '../lib/verifynow.internal-constants';
import { FakeUpstream, SEND_PATH, TOKEN_PATH, fakeJwt, json } from './helpers/fake-upstream';
import { redisClient, redisUrl, uniquePrefix } from './helpers/redis';
import { VerifyNowContext, createVerifyNow, phoneNumbers } from './helpers/verifynow-context';

const CUSTOMER_ID = 'C-FLEET';
const PASSWORD = 'fleet-password';
const CAP = 10;
const INSTANCES = 3;
const SENDS_EACH = 20;

/**
 * An upstream limited as a real account is: it refuses with 429 any request
 * that would be the 11th to arrive within one second, and notes when each
 * request arrived (every path: the cap covers the token requests too).
 */
async function cappedUpstream(): Promise<{
  upstream: FakeUpstream;
  arrivals: number[];
  refused: () => number;
}> {
  const arrivals: number[] = [];
  let refused = 0;
  let nextId = 9000;
  const upstream = await FakeUpstream.start((_request, response, url) => {
    const now = performance.now();
    const recent = arrivals.filter((at) => at > now - 1000).length;
    arrivals.push(now);
    if (recent >= CAP) {
      refused += 1;
      return json(response, 429, { responseCode: 429, message: 'TOO_MANY_REQUESTS' });
    }
    if (url.pathname === TOKEN_PATH) {
      return json(response, 200, { status: 200, token: fakeJwt({ sub: CUSTOMER_ID }) });
    }
    if (url.pathname === SEND_PATH) {
      nextId += 1;
      return json(response, 200, {
        responseCode: 200,
        message: 'SUCCESS',
        data: {
          verificationId: String(nextId),
          mobileNumber: url.searchParams.get('mobileNumber'),
          timeout: '60',
        },
      });
    }
    json(response, 404, {});
  });
  return { upstream, arrivals, refused: () => refused };
}

/** The most arrivals in any one-second window, each window starting at an arrival. */
function mostInOneSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.max(
    ...sorted.map((start) => sorted.filter((at) => at >= start && at < start + 1000).length),
  );
}

/**
 * Three instances against one upstream, each sending 20 at once: the
 * upstream's arrivals and what each send came to.
 */
async function burst(store: VerifyNowModuleOptions['store']): Promise<{
  arrivals: number[];
  sends: number;
  refused: number;
  results: unknown[];
}> {
  const { upstream, arrivals, refused } = await cappedUpstream();
  const apps: VerifyNowContext[] = [];
  try {
    for (let i = 0; i < INSTANCES; i += 1) {
      apps.push(
        await createVerifyNow({
          customerId: CUSTOMER_ID,
          password: PASSWORD,
          baseUrl: upstream.url,
          store,
          maxRequestsPerSecond: CAP,
          // The burst takes about 6 s at 10 per second: no call may give up before.
          timeoutMs: 20_000,
          limits: { perPhoneNumber: false, perClientIp: false },
        }),
      );
    }
    const phones = phoneNumbers(INSTANCES * SENDS_EACH, 700);
    const results = await Promise.all(
      phones.map((phoneNumber, i) =>
        apps[i % INSTANCES].service.sendOtp({ phoneNumber }).catch((error: unknown) => error),
      ),
    );
    return { arrivals, sends: upstream.hitsOn(SEND_PATH), refused: refused(), results };
  } finally {
    await Promise.all(apps.map((app) => app.close()));
    await upstream.close();
  }
}

describe('one outbound rate cap for the whole fleet (three instances, one Redis)', () => {
  it('the upstream never sees more than 10 requests in any second, and every send goes through', async () => {
    const { arrivals, sends, refused, results } = await burst({
      redis: { url: redisUrl(), keyPrefix: uniquePrefix() },
    });
    expect(results.filter((result) => result instanceof Error)).toEqual([]);
    expect(
      results.every(
        (result) => typeof (result as { verificationId?: unknown }).verificationId === 'string',
      ),
    ).toBe(true);
    expect(sends).toBe(INSTANCES * SENDS_EACH);
    expect(refused).toBe(0);
    // Every request counts: the sends and each instance's token request.
    expect(arrivals.length).toBeGreaterThanOrEqual(INSTANCES * SENDS_EACH + 1);
    expect(mostInOneSecond(arrivals)).toBeLessThanOrEqual(CAP);
    // Not by accident: the fleet did use its whole rate.
    expect(mostInOneSecond(arrivals)).toBe(CAP);
  }, 60_000);

  it('without Redis each instance caps itself: together they exceed 10 in some second, and the upstream refuses some', async () => {
    const { arrivals, refused, results } = await burst(undefined);
    expect(mostInOneSecond(arrivals)).toBeGreaterThan(CAP);
    expect(refused).toBeGreaterThan(0);
    expect(results.some((result) => result instanceof Error)).toBe(true);
  }, 60_000);
});

describe('each upstream has its own fleet cap, closed with the application', () => {
  const redis = redisClient();
  afterAll(() => redis.quit());

  it.each([
    ['verifynow', '+919999900801'],
    ['verihubs', '+6281234567801'],
  ] as const)(
    '%s: counts in its own Redis key, and its waiting callers fail at once on close',
    async (upstream, phoneNumber) => {
      const keyPrefix = uniquePrefix();
      const app = await createVerifyNow({
        sandbox: true,
        providers: [upstream],
        store: { redis: { url: redisUrl(), keyPrefix } },
        maxRequestsPerSecond: 1,
        verihubs: { maxRequestsPerSecond: 1 },
        timeoutMs: 20_000,
        limits: false,
      });
      let closing = Infinity;
      const settled = Array.from({ length: 3 }, () =>
        app.service.sendOtp({ phoneNumber }).then(
          () => 'sent',
          (error: unknown) => ({ error, afterCloseMs: performance.now() - closing }),
        ),
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await redis.exists(`${keyPrefix}{rate:${upstream}}:starts`)).toBe(1);
        expect(app.moduleRef.get<RateCap>(VERIFYNOW_RATE_LIMITER).describe().scope).toBe('fleet');
      } finally {
        closing = performance.now();
        await app.close();
      }
      const results = await Promise.all(settled);
      const shutOut = results.filter(
        (result) =>
          typeof result === 'object' &&
          result.error instanceof VerifyNowOverloadedException &&
          result.error.message.includes('shutting down') &&
          result.afterCloseMs < FLEET_WINDOW_MS,
      );
      // One slot per second: at most one send went out, the others were waiting.
      expect(shutOut.length).toBeGreaterThanOrEqual(2);
    },
    30_000,
  );
});
