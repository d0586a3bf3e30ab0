import { registerAs } from '@nestjs/config';
import { VerifyNowModuleOptions } from '../interfaces/verifynow-module-options.interface';
import { verifyNowOptionsFromEnv } from './verifynow-options.resolver';

/**
 * The module's options from `VERIFYNOW_*` environment variables, as a
 * `@nestjs/config` namespace (`verifyNow`).
 *
 * @example
 * VerifyNowModule.forRootAsync(verifyNowConfig.asProvider())
 * @example
 * constructor(@Inject(verifyNowConfig.KEY) config: ConfigType<typeof verifyNowConfig>) {}
 */
export const verifyNowConfig = registerAs('verifyNow', (): VerifyNowModuleOptions =>
  verifyNowOptionsFromEnv(process.env),
);
