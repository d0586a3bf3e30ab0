import {
  SEED_MAGIC_NUMBERS,
  httpStatusForCode,
  magicOutcome,
} from './verifynow-sandbox.magic-numbers';

describe('magic numbers', () => {
  it('keeps the seed table: six numbers, six outcomes', () => {
    expect(Object.keys(SEED_MAGIC_NUMBERS)).toHaveLength(6);
    expect(magicOutcome('6282123060006')).toMatchObject({ httpStatus: 429, retryAfter: 30 });
  });

  it('maps +62 821 2306 1CCC to a send answering code CCC', () => {
    expect(magicOutcome('6282123061705')).toEqual({
      kind: 'send-json',
      httpStatus: httpStatusForCode(705),
      responseCode: 705,
      retryAfter: undefined,
    });
  });

  it('maps 2CCC to validations answering CCC, 8SSS and 9SSS to HTML pages', () => {
    expect(magicOutcome('6282123062703')).toEqual({ kind: 'validate-json', responseCode: 703 });
    expect(magicOutcome('6282123068500')).toEqual({ kind: 'validate-html', httpStatus: 500 });
    expect(magicOutcome('6282123069503')).toEqual({ kind: 'send-html', httpStatus: 503 });
  });

  it('leaves every other number alone', () => {
    expect(magicOutcome('919999999999')).toBeUndefined();
    expect(magicOutcome('6282123063500')).toBeUndefined();
    expect(magicOutcome('6282123061050')).toBeUndefined();
    expect(magicOutcome('62821230615000')).toBeUndefined();
  });
});
