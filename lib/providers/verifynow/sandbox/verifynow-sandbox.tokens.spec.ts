import { VerifyNowSandboxTokens } from './verifynow-sandbox.tokens';

const KEY = Buffer.from('right').toString('base64');

describe('VerifyNowSandboxTokens, without sockets', () => {
  let now = Date.UTC(2030, 0, 1);
  const clock = () => now;

  it('issues an HS512 JWT that authenticates as its customer until exp', () => {
    const tokens = new VerifyNowSandboxTokens({ tokenTtlSeconds: 60 }, clock);
    const reply = tokens.issue('C-1', KEY, 'NEW');
    expect(reply).toEqual({ status: 200, json: { status: 200, token: expect.any(String) } });
    const token = reply.json.token!;
    const [header, payload] = token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
      alg: 'HS512',
    });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      sub: 'C-1',
      exp: now / 1000 + 60,
    });
    expect(tokens.authenticate(token)).toBe('C-1');
    now += 59_999;
    expect(tokens.authenticate(token)).toBe('C-1');
    now += 1;
    expect(tokens.authenticate(token)).toBeUndefined();
  });

  it('refuses bad credentials inside an HTTP 200', () => {
    const tokens = new VerifyNowSandboxTokens({ customerId: 'C-1', password: 'right' }, clock);
    const refusal = (error: string) => ({ status: 200, json: { status: 400, error } });
    expect(tokens.issue(null, KEY, null)).toEqual(refusal('customerId is invalid'));
    expect(tokens.issue('C-2', KEY, null)).toEqual(refusal('customerId is invalid'));
    expect(tokens.issue('C-1', null, null)).toEqual(refusal('password is wrong'));
    expect(tokens.issue('C-1', 'not base64!', null)).toEqual(refusal('password is wrong'));
    const wrong = Buffer.from('wrong').toString('base64');
    expect(tokens.issue('C-1', wrong, null)).toEqual(refusal('password is wrong'));
    expect(tokens.issue('C-1', KEY, 'OLD')).toEqual(refusal('scope is invalid'));
    expect(tokens.issue('C-1', KEY, null).json.status).toBe(200);
  });

  it('revokes every token issued so far, not the static ones nor later ones', () => {
    const tokens = new VerifyNowSandboxTokens({ staticTokens: ['static-1'] }, clock);
    const old = tokens.issue('C-1', KEY, null).json.token!;
    tokens.revoke();
    expect(tokens.authenticate(old)).toBeUndefined();
    expect(tokens.authenticate('static-1')).toBe('C-SANDBOX');
    expect(tokens.authenticate(tokens.issue('C-1', KEY, null).json.token)).toBe('C-1');
  });

  it('refuses a missing token, a foreign one and a tampered one', () => {
    const tokens = new VerifyNowSandboxTokens({}, clock);
    const other = new VerifyNowSandboxTokens({}, clock).issue('C-1', KEY, null).json.token!;
    const own = tokens.issue('C-1', KEY, null).json.token!;
    expect(tokens.authenticate(undefined)).toBeUndefined();
    expect(tokens.authenticate(other)).toBeUndefined();
    expect(tokens.authenticate(`${own}x`)).toBeUndefined();
    expect(tokens.authenticate('a.b')).toBeUndefined();
  });
});
