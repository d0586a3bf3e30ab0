import { VerifyNowUnavailableException } from '../http/upstream.exceptions';
import { Deadline } from './call.deadline';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => undefined);

describe('Deadline', () => {
  it('aborts its signal when it passes, raced or not', async () => {
    const deadline = Deadline.after(30);
    const { signal } = deadline;
    expect(signal.aborted).toBe(false);
    await sleep(60);
    expect(signal.aborted).toBe(true);
  });

  it('rejects the race and aborts the signal together, once the time is up', async () => {
    const deadline = Deadline.after(30);
    const signal = deadline.signal;
    const started = performance.now();
    const error = await deadline.race(never(), 'send').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowUnavailableException);
    expect((error as Error).message).toContain('no answer within 30 ms');
    expect(signal.aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('aborts nothing once the race is over: the call has ended', async () => {
    const deadline = Deadline.after(30);
    await expect(deadline.race(Promise.resolve('done'), 'validate')).resolves.toBe('done');
    const signal = deadline.signal;
    await sleep(10);
    deadline.end();
    await sleep(60);
    expect(signal.aborted).toBe(false);
  });

  it('settles the race like the work when the work comes first, failure included', async () => {
    const failure = new Error('refused');
    await expect(Deadline.after(1_000).race(Promise.reject(failure), 'send')).rejects.toBe(failure);
  });

  it('refuses at once when no time is left, with an aborted signal', async () => {
    const deadline = Deadline.after(0);
    await expect(deadline.race(never(), 'send')).rejects.toBeInstanceOf(
      VerifyNowUnavailableException,
    );
    expect(Deadline.after(0).signal.aborted).toBe(true);
  });

  it('gives an earlier deadline within a shorter budget, else itself', () => {
    const deadline = Deadline.after(1_000);
    expect(deadline.within(5_000)).toBe(deadline);
    const shorter = deadline.within(100);
    expect(shorter).not.toBe(deadline);
    expect(shorter.remainingMs()).toBeLessThanOrEqual(100);
    shorter.end();
  });
});
