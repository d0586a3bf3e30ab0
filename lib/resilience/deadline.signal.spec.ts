import { DeadlineSignal } from './deadline.signal';

describe('DeadlineSignal', () => {
  it('aborts once, with its reason, and stays aborted', () => {
    const signal = new DeadlineSignal();
    const calls: string[] = [];
    signal.addEventListener('abort', () => calls.push('listener'));
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBeUndefined();
    const reason = new Error('late');
    signal.abort(reason);
    signal.abort(new Error('again'));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(calls).toEqual(['listener']);
  });

  it('calls onabort first, then each listener once, in the order added, with an abort event', () => {
    const signal = new DeadlineSignal();
    const calls: unknown[] = [];
    const first = (event: unknown) => calls.push(['first', event]);
    signal.addEventListener('abort', first);
    signal.addEventListener('abort', first); // the same listener twice: called once
    signal.addEventListener('abort', () => calls.push('second'));
    signal.onabort = () => calls.push('onabort');
    signal.abort(undefined);
    expect(calls).toEqual(['onabort', ['first', { type: 'abort', target: signal }], 'second']);
  });

  it('calls no listener removed before the abort, added after it, or for another event', () => {
    const signal = new DeadlineSignal();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    signal.addEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    signal.addEventListener('other', () => calls.push('other'));
    signal.addEventListener('abort', 'not a function');
    signal.abort(undefined);
    signal.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual([]);
  });

  it('runs every listener when one throws, then throws the first error', () => {
    const signal = new DeadlineSignal();
    const calls: string[] = [];
    const failure = new Error('listener failed');
    signal.addEventListener('abort', () => {
      throw failure;
    });
    signal.addEventListener('abort', () => {
      throw new Error('second failure');
    });
    signal.addEventListener('abort', () => calls.push('ran'));
    expect(() => signal.abort(undefined)).toThrow(failure);
    expect(calls).toEqual(['ran']);
    expect(signal.aborted).toBe(true);
  });
});
