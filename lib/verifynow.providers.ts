import { Logger, Provider } from '@nestjs/common';
import {
  ResolvedVerifyNowOptions,
  resolveVerifyNowOptions,
} from './config/verifynow-options.resolver';
import { createVerifyNowHttpService } from './http/verifynow-http.client';
import { VerifyNowModuleOptions } from './interfaces/verifynow-module-options.interface';
import { VerifyNowSandbox } from './sandbox/verifynow-sandbox';
import { VERIFYNOW_HTTP_SERVICE, VERIFYNOW_MODULE_OPTIONS } from './verifynow.constants';
import {
  SYSTEM_CLOCK,
  VERIFYNOW_CLOCK,
  VERIFYNOW_RESOLVED_OPTIONS,
} from './verifynow.internal-constants';

const logger = new Logger('VerifyNowModule');

/** Checks the options once, at boot; a bad value stops the application. @internal */
export const resolvedOptionsProvider: Provider = {
  provide: VERIFYNOW_RESOLVED_OPTIONS,
  useFactory: (options: VerifyNowModuleOptions | undefined) =>
    resolveVerifyNowOptions(options ?? {}, process.env),
  inject: [VERIFYNOW_MODULE_OPTIONS],
};

/**
 * The embedded sandbox, started on loopback in sandbox mode; `null` otherwise.
 * Inject `VerifyNowSandbox` (with `@Optional()`) to read the codes it sends.
 *
 * @internal
 */
export const sandboxProvider: Provider = {
  provide: VerifyNowSandbox,
  useFactory: async (options: ResolvedVerifyNowOptions): Promise<VerifyNowSandbox | null> => {
    if (options.mode !== 'sandbox') {
      return null;
    }
    const { credentials, sandbox } = options;
    const instance = await VerifyNowSandbox.start({
      port: sandbox.port,
      code: sandbox.code,
      customerId: credentials.customerId,
      password: sandbox.password,
      staticTokens: credentials.type === 'token' ? [credentials.authToken] : undefined,
    });
    const why =
      options.sandboxReason === 'no-credentials'
        ? 'no credentials are configured'
        : 'sandbox mode is on';
    logger.warn(
      `VerifyNow runs against its embedded sandbox at ${instance.url} because ${why}: no message is really sent.`,
    );
    if (process.env.NODE_ENV === 'production') {
      logger.warn('The VerifyNow sandbox is on while NODE_ENV is production.');
    }
    return instance;
  },
  inject: [VERIFYNOW_RESOLVED_OPTIONS],
};

/** The module's own HttpService, pointed at the upstream or at the sandbox. @internal */
export const httpServiceProvider: Provider = {
  provide: VERIFYNOW_HTTP_SERVICE,
  useFactory: (options: ResolvedVerifyNowOptions, sandbox: VerifyNowSandbox | null) =>
    createVerifyNowHttpService(sandbox?.url ?? options.baseUrl),
  inject: [VERIFYNOW_RESOLVED_OPTIONS, VerifyNowSandbox],
};

/** @internal */
export const clockProvider: Provider = { provide: VERIFYNOW_CLOCK, useValue: SYSTEM_CLOCK };
