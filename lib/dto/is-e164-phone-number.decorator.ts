import { ValidationOptions, registerDecorator } from 'class-validator';
import { PHONE_NUMBER_EXPECTATION, isValidE164PhoneNumber } from '../phone/phone-number.util';

/**
 * Checks that a property is a valid phone number in strict E.164 form (`+`, then
 * digits), with the same rules `VerifyNowService.sendOtp()` applies.
 */
export function IsE164PhoneNumber(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isE164PhoneNumber',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `$property ${PHONE_NUMBER_EXPECTATION}`, ...options },
      validator: { validate: (value: unknown) => isValidE164PhoneNumber(value) },
    });
  };
}

/** Checks that none of `others` is set (`null` counts as not set) on the object when this property is. */
export function IsExclusiveWith(
  others: readonly string[],
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isExclusiveWith',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [others],
      options: {
        message: `give either $property, or ${others.join(' with ')}, not both`,
        ...options,
      },
      validator: {
        validate: (value: unknown, args) =>
          value == null ||
          others.every((name) => (args?.object as Record<string, unknown>)[name] == null),
      },
    });
  };
}
