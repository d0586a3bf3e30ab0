import { IsNumber, IsString } from 'class-validator';

/**
 * A proof `@RequireOtp()` (or `VerifyNowStepUpService.verify()`) accepted. A class,
 * so that it can be named in a decorated signature (`@VerifiedOtpProof() proof:
 * VerifiedOtp`) with a plain import under `isolatedModules`; its fields carry
 * validation decorators so that a `ValidationPipe` with `validateCustomDecorators`
 * and `whitelist` keeps them.
 */
export class VerifiedOtp {
  /** The verification the code belonged to. */
  @IsString()
  verificationId!: string;

  /** The action it proved. */
  @IsString()
  purpose!: string;

  /** When it was accepted, in milliseconds since the epoch. */
  @IsNumber()
  verifiedAt!: number;

  /** @internal */
  static of(fields: Pick<VerifiedOtp, 'verificationId' | 'purpose' | 'verifiedAt'>): VerifiedOtp {
    return Object.assign(new VerifiedOtp(), fields);
  }
}
