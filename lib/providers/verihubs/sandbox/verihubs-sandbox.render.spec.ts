import {
  VERIHUBS_DEFAULT_TEMPLATE,
  renderVerihubsText,
  smsSegmentCount,
} from './verihubs-sandbox.render';

describe('Verihubs message text', () => {
  it('fills every $OTP of the template, or of the default one', () => {
    expect(VERIHUBS_DEFAULT_TEMPLATE).toBe('Your OTP code is $OTP');
    expect(renderVerihubsText({}, '1234')).toBe('Your OTP code is 1234');
    expect(renderVerihubsText({ template: '$OTP / $OTP $& $$' }, '99')).toBe('99 / 99 $& $$');
    expect(renderVerihubsText({ template: 'no code here' }, '99')).toBe('no code here');
  });

  it('names the WhatsApp template and its language', () => {
    const whatsapp = { templateName: 'otp_login', langCode: 'id', otpLength: 6 };
    expect(renderVerihubsText({ template: 'ignored $OTP', whatsapp }, '123456')).toBe(
      'WhatsApp template otp_login (id): 123456',
    );
  });

  it('counts SMS segments of 160 characters, at least one', () => {
    expect([0, 1, 160, 161, 320, 321].map((n) => smsSegmentCount('x'.repeat(n)))).toEqual([
      1, 1, 1, 2, 2, 3,
    ]);
  });
});
