import { randomBytes } from 'node:crypto';
import { seal, unseal } from './ledger-seal.util';

describe('seal / unseal', () => {
  const key = randomBytes(32);
  const text = JSON.stringify({ msisdn: '6281234567890', challenge: 'c-1' });

  it('opens what it sealed, and shows nothing of it', () => {
    const sealed = seal(key, text);
    expect(sealed).toMatch(/^v1\.[\w-]+$/);
    expect(sealed).not.toContain('6281234567890');
    expect(unseal(key, sealed)).toBe(text);
  });

  it('seals the same text differently each time', () => {
    expect(seal(key, text)).not.toBe(seal(key, text));
  });

  it('opens nothing under another key, changed, or not sealed at all', () => {
    const sealed = seal(key, text);
    expect(unseal(randomBytes(32), sealed)).toBeUndefined();
    const body = Buffer.from(sealed.slice(3), 'base64url');
    body[body.length - 1] ^= 1;
    expect(unseal(key, `v1.${body.toString('base64url')}`)).toBeUndefined();
    expect(unseal(key, text)).toBeUndefined();
    expect(unseal(key, 'v1.')).toBeUndefined();
    expect(unseal(key, 'v2.abc')).toBeUndefined();
  });
});

describe('seal IVs', () => {
  it('never repeats an IV across many seals, pool refills included', () => {
    const key = Buffer.alloc(32, 7);
    const ivs = new Set<string>();
    for (let i = 0; i < 1_000; i += 1) {
      const sealed = seal(key, 'x');
      ivs.add(Buffer.from(sealed.slice(3), 'base64url').subarray(0, 12).toString('hex'));
      expect(unseal(key, sealed)).toBe('x');
    }
    expect(ivs.size).toBe(1_000);
  });
});
