import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { IsPositive, IsString, Length } from 'class-validator';
import { RequireOtp, VerifiedOtp, VerifiedOtpProof } from 'nestjs-verifynow';

export class TransferDto {
  @IsPositive()
  amount!: number;

  @IsString()
  @Length(1, 34)
  to!: string;
}

/** A sensitive action behind OTP step-up. */
@Controller('account')
export class AccountController {
  /**
   * Without proof: 401 OTP_REQUIRED, and a code goes to the user's phone. With the
   * `x-otp-verification-id` and `x-otp-code` headers: the transfer.
   */
  @RequireOtp()
  @Post('transfer')
  @HttpCode(HttpStatus.OK)
  transfer(@Body() body: TransferDto, @VerifiedOtpProof() proof: VerifiedOtp) {
    return {
      status: 'transferred',
      amount: body.amount,
      to: body.to,
      verificationId: proof.verificationId,
    };
  }
}
