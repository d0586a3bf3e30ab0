import { AttributeSets } from './attribute-sets';

describe('AttributeSets', () => {
  const sets = () => new AttributeSets(['provider', 'channel', 'outcome']);

  it('gives the set of its keys and the values, in order', () => {
    expect(sets().of('verihubs', 'SMS', 'sent')).toEqual({
      provider: 'verihubs',
      channel: 'SMS',
      outcome: 'sent',
    });
  });

  it('leaves out the keys whose value is null or undefined', () => {
    const set = sets().of('verifynow', null, undefined);
    expect(set).toEqual({ provider: 'verifynow' });
    expect(Object.keys(set)).toEqual(['provider']);
  });

  it('gives the same frozen object for the same values, another for other values', () => {
    const cache = sets();
    const first = cache.of('verifynow', 'SMS', 'sent');
    expect(cache.of('verifynow', 'SMS', 'sent')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(cache.of('verifynow', 'SMS', 'pending')).not.toBe(first);
    expect(cache.of('verifynow', 'SMS', 'pending')).toEqual({
      provider: 'verifynow',
      channel: 'SMS',
      outcome: 'pending',
    });
  });

  it('tells a left-out value from an empty string or a number from its text', () => {
    const cache = new AttributeSets(['a', 'b']);
    expect(cache.of('x', null)).toEqual({ a: 'x' });
    expect(cache.of('x', '')).toEqual({ a: 'x', b: '' });
    expect(cache.of(null, 'x')).toEqual({ b: 'x' });
    expect(cache.of(404, null)).toEqual({ a: 404 });
    expect(cache.of('404', null)).toEqual({ a: '404' });
  });

  it('does not let values that join alike share a set', () => {
    const cache = new AttributeSets(['a', 'b']);
    expect(cache.of('ab', null)).toEqual({ a: 'ab' });
    expect(cache.of('a', 'b')).toEqual({ a: 'a', b: 'b' });
    expect(cache.of('s1:a', null)).toEqual({ a: 's1:a' });
    expect(cache.of('a', '-')).toEqual({ a: 'a', b: '-' });
    expect(cache.of('a', null)).toEqual({ a: 'a' });
  });

  it('keeps at most its capacity of sets and still answers past it', () => {
    const cache = new AttributeSets(['n'], 2);
    const kept = cache.of('1');
    cache.of('2');
    const past = cache.of('3');
    expect(past).toEqual({ n: '3' });
    expect(cache.of('3')).not.toBe(past);
    expect(cache.of('1')).toBe(kept);
  });
});
