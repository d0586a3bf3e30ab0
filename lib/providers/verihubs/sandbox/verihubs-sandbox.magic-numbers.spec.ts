import {
  VERIHUBS_MAGIC_DOWN,
  VERIHUBS_MAGIC_SEND,
  VERIHUBS_MAGIC_VERIFY,
  verihubsMagicOutcome,
} from './verihubs-sandbox.magic-numbers';

describe('Verihubs magic numbers', () => {
  it("keeps the seed's send table word for word", () => {
    const table = Object.entries(VERIHUBS_MAGIC_SEND).map(([msisdn, outcome]) => [
      msisdn,
      'status' in outcome ? outcome.status : undefined,
      'message' in outcome ? outcome.message : undefined,
    ]);
    expect(table).toEqual([
      ['6282123060001', 201, 'OTP sent successfully'],
      ['6282123060002', 400, 'Msisdn invalid: msisdn length should between 4-16 characters'],
      ['6282123060003', 401, 'Authorization failed'],
      ['6282123060004', 403, 'OTP testing quota is insufficient'],
      ['6282123060005', 409, 'Msisdn invalid: msisdn has been blocked'],
      ['6282123060006', 429, 'Too many request in the allowed time frame'],
    ]);
  });

  it('looks the send table up on send only, the verify table on verify only', () => {
    expect(verihubsMagicOutcome('send', '6282123060004')).toMatchObject({ status: 403 });
    expect(verihubsMagicOutcome('verify', '6282123060004')).toBeUndefined();
    expect(verihubsMagicOutcome('verify', '6282123060009')).toEqual({
      kind: 'reply',
      status: 422,
      message: 'OTP cannot be verified because Time limit exceeded',
    });
    expect(verihubsMagicOutcome('send', '6282123060009')).toBeUndefined();
    expect(Object.keys(VERIHUBS_MAGIC_VERIFY)).toEqual([
      '6282123060007',
      '6282123060008',
      '6282123060009',
    ]);
  });

  it('makes the provider look down on both endpoints: 503, a dropped connection, 500', () => {
    for (const endpoint of ['send', 'verify'] as const) {
      expect(verihubsMagicOutcome(endpoint, '6282123060010')).toMatchObject({ status: 503 });
      expect(verihubsMagicOutcome(endpoint, '6282123060011')).toEqual({ kind: 'reset' });
      expect(verihubsMagicOutcome(endpoint, '6282123060012')).toMatchObject({ status: 500 });
    }
    expect(Object.keys(VERIHUBS_MAGIC_DOWN)).toHaveLength(3);
  });

  it('leaves every other number alone', () => {
    for (const msisdn of ['6281234567890', '6282123060000', '6282123060013', 'constructor']) {
      expect(verihubsMagicOutcome('send', msisdn)).toBeUndefined();
      expect(verihubsMagicOutcome('verify', msisdn)).toBeUndefined();
    }
  });
});
