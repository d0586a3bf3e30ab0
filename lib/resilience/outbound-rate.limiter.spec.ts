import { VerifyNowOverloadedException } from '../http/upstream.exceptions';
import { OutboundRateLimiter } from './outbound-rate.limiter';

describe('OutboundRateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('starts at most N per rolling second, first come first served', async () => {
    const limiter = new OutboundRateLimiter(3, 10);
    const started: number[] = [];
    const calls = Array.from({ length: 7 }, (_, i) =>
      limiter.acquire(5_000).then(() => started.push(i)),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.waiting).toBe(4);
    await jest.advanceTimersByTimeAsync(999);
    expect(started).toEqual([0, 1, 2]);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    await jest.advanceTimersByTimeAsync(1_000);
    await Promise.all(calls);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    limiter.close();
  });

  it('refuses at once when the queue is full', async () => {
    const limiter = new OutboundRateLimiter(1, 1);
    await limiter.acquire(5_000);
    const queued = limiter.acquire(5_000);
    await expect(limiter.acquire(5_000)).rejects.toBeInstanceOf(VerifyNowOverloadedException);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(queued).resolves.toBeUndefined();
    limiter.close();
  });

  it('gives up on a caller that waited longer than it may', async () => {
    const limiter = new OutboundRateLimiter(1, 5);
    await limiter.acquire(100);
    const late = limiter.acquire(100);
    const settled = expect(late).rejects.toThrow('no slot under the rate cap within 100 ms');
    await jest.advanceTimersByTimeAsync(100);
    await settled;
    expect(limiter.waiting).toBe(0);
    limiter.close();
  });

  it('fails every waiting caller on close and leaves no timer behind', async () => {
    const limiter = new OutboundRateLimiter(1, 5);
    await limiter.acquire(5_000);
    const waiting = [limiter.acquire(5_000), limiter.acquire(5_000)];
    limiter.close();
    for (const call of waiting) {
      await expect(call).rejects.toBeInstanceOf(VerifyNowOverloadedException);
    }
    expect(jest.getTimerCount()).toBe(0);
    await expect(limiter.acquire(5_000)).rejects.toThrow('shutting down');
  });

  it('describes itself as a cap of this instance', async () => {
    const limiter = new OutboundRateLimiter(1, 5);
    await limiter.acquire(5_000);
    const queued = limiter.acquire(5_000);
    expect(limiter.describe()).toEqual({ scope: 'instance', perSecond: 1, waiting: 1 });
    limiter.close();
    await expect(queued).rejects.toBeInstanceOf(VerifyNowOverloadedException);
  });
});
