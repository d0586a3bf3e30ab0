import { DynamicModule, INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, TestingModule, TestingModuleBuilder } from '@nestjs/testing';
import { VerifyNowSandbox, VerifyNowService } from '../../lib';
import { OTP_HTTP_PROVIDERS } from '../../sample/src/app.module';
import { OtpController } from '../../sample/src/otp.controller';
import { CapturingLogger } from './capturing-logger';
import { HttpAnswer, postJson } from './http';

/** The HTTP platforms the module supports. */
export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/** A running fixture app: the sample's OTP routes over a real loopback port. */
export interface OtpApp {
  app: INestApplication;
  url: string;
  service: VerifyNowService;
  /** The embedded sandbox, when the module runs one. */
  sandbox: VerifyNowSandbox | null;
  logger: CapturingLogger;
  post(path: string, body: unknown): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface OtpAppOptions {
  platform?: Platform;
  /** Changes the testing module before it compiles, e.g. to override a provider. */
  configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** Creates the HTTP application on a platform and listens on a loopback port. */
export async function listen(
  moduleRef: TestingModule,
  platform: Platform | undefined,
  logger: CapturingLogger,
): Promise<{ app: INestApplication; url: string }> {
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/**
 * Boots the sample's OTP controller, with the sample's filter and validation pipe, around the given `VerifyNowModule` registration, and listens on
 * a loopback port.
 */
export async function startOtpApp(
  verifyNow: DynamicModule,
  options: OtpAppOptions = {},
): Promise<OtpApp> {
  const logger = new CapturingLogger();
  let builder = Test.createTestingModule({
    imports: [verifyNow],
    controllers: [OtpController],
    providers: OTP_HTTP_PROVIDERS,
  }).setLogger(logger);
  builder = options.configure?.(builder) ?? builder;
  const { app, url } = await listen(await builder.compile(), options.platform, logger);
  return {
    app,
    url,
    service: app.get(VerifyNowService),
    sandbox: app.get<VerifyNowSandbox | null>(VerifyNowSandbox),
    logger,
    post: (path, body) => postJson(`${url}${path}`, body),
    close: () => app.close(),
  };
}
