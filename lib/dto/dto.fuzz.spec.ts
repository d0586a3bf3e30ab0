import { fuzzRuns } from '../../test/helpers/fuzz';
import { BadRequestException, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { VERIFYNOW_FLOW_TYPES } from '../interfaces/verifynow-module-options.interface';
import { isValidE164PhoneNumber } from '../phone/phone-number.util';
import { SendOtpDto } from './send-otp.dto';
import { ValidateOtpDto } from './validate-otp.dto';

const pipe = new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true });

/** Runs the pipe as Nest does for a body; `undefined` means it refused with a 400. */
async function accept<T>(metatype: new () => T, body: unknown): Promise<T | undefined> {
  try {
    return (await pipe.transform(body, { type: 'body', metatype })) as T;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const messages = (error as BadRequestException).getResponse() as { message: unknown };
    expect(messages.message).toEqual(expect.arrayContaining([expect.any(String)]));
    return undefined;
  }
}

const value = fc.oneof(
  fc.anything(),
  fc.stringMatching(/^\+?\d{0,16}$/),
  fc.integer({ min: -10, max: 20 }),
  fc.constantFrom(
    'SMS',
    'whatsapp',
    'RCS',
    'sauth',
    'FAX',
    '+919999999999',
    '9999999999',
    '91',
    '6',
  ),
);

describe('the DTOs under arbitrary request bodies', () => {
  it('SendOtpDto accepts only a valid number, channel and length, and refuses the rest with a 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              phoneNumber: value,
              countryCode: value,
              mobileNumber: value,
              flowType: value,
              otpLength: value,
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        async (body) => {
          const dto = await accept(SendOtpDto, body);
          if (dto === undefined) return;
          // null stands for "not given" (@IsOptional), as it does in the service.
          if (dto.phoneNumber != null) {
            expect(isValidE164PhoneNumber(dto.phoneNumber)).toBe(true);
            expect(dto.countryCode ?? undefined).toBeUndefined();
            expect(dto.mobileNumber ?? undefined).toBeUndefined();
          } else {
            expect(dto.mobileNumber).toMatch(/^\d{4,15}$/);
            if (dto.countryCode != null) expect(dto.countryCode).toMatch(/^\+?[1-9]\d{0,3}$/);
          }
          if (dto.flowType != null) expect(VERIFYNOW_FLOW_TYPES).toContain(dto.flowType);
          if (dto.otpLength != null) {
            expect(
              Number.isInteger(dto.otpLength) && dto.otpLength >= 4 && dto.otpLength <= 8,
            ).toBe(true);
          }
        },
      ),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('ValidateOtpDto accepts only an id of letters, digits, _ and - and a 4 to 8 digit code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              verificationId: fc.oneof(value, fc.bigInt().map(String), fc.nat()),
              code: fc.oneof(value, fc.stringMatching(/^\d{3,9}$/)),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        async (body) => {
          const dto = await accept(ValidateOtpDto, body);
          if (dto === undefined) return;
          expect(dto.verificationId).toMatch(/^[A-Za-z0-9][\w-]{0,127}$/);
          expect(typeof dto.code).toBe('string');
          expect(dto.code).toMatch(/^\d{4,8}$/);
        },
      ),
      { numRuns: fuzzRuns(1000) },
    );
  });
});
