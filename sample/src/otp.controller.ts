import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Ip,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  OtpDeliveryStatus,
  SendOtpDto,
  SendOtpResponseDto,
  ValidateOtpDto,
  ValidateOtpResponseDto,
  VerifyNowService,
} from 'nestjs-verifynow';

/** Sends a code to a phone and checks the code the user types. */
@Controller('otp')
export class OtpController {
  constructor(private readonly verifyNow: VerifyNowService) {}

  /** `POST /otp/send {"phoneNumber":"+919999900001"}` → the verification id. */
  @Post('send')
  @HttpCode(HttpStatus.OK)
  async send(@Body() body: SendOtpDto, @Ip() clientIp: string): Promise<SendOtpResponseDto> {
    // The client IP feeds the per-IP send limit; it never comes from the body.
    return SendOtpResponseDto.fromResult(await this.verifyNow.sendOtp({ ...body, clientIp }));
  }

  /** `POST /otp/verify {"verificationId":"…","code":"…"}` → 200, or 401 for a wrong code. */
  @Post('verify')
  @HttpCode(HttpStatus.OK)
  async verify(@Body() body: ValidateOtpDto): Promise<ValidateOtpResponseDto> {
    return ValidateOtpResponseDto.fromResult(await this.verifyNow.validateOtp(body));
  }

  /**
   * `GET /otp/:verificationId/delivery` → what the provider reported of the
   * message so far (Verihubs' delivery callbacks), or 404 for an unknown id.
   */
  @Get(':verificationId/delivery')
  async delivery(@Param('verificationId') verificationId: string): Promise<OtpDeliveryStatus> {
    const status = await this.verifyNow.deliveryStatus(verificationId);
    if (status === undefined) {
      throw new NotFoundException('No such verification (unknown, or expired).');
    }
    return status;
  }
}
