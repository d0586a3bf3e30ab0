import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Injectable,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { VerifyNowException } from '../errors/verifynow.exception';

/**
 * Answers every {@link VerifyNowException} with its HTTP status and a
 * `{ statusCode, error, responseCode, message }` body, plus `Retry-After` when the
 * wait is known. Configuration and credential problems answer a generic 500 and
 * are logged (masked) for the operator. Replies through `HttpAdapterHost`, so it
 * works on Express and Fastify alike. In GraphQL it hands the driver an error
 * whose message is the public one; register it there too.
 *
 * @example
 * // app.module.ts
 * providers: [{ provide: APP_FILTER, useClass: VerifyNowExceptionFilter }]
 * @example
 * // main.ts
 * app.useGlobalFilters(new VerifyNowExceptionFilter(app.get(HttpAdapterHost)));
 */
@Catch(VerifyNowException)
@Injectable()
export class VerifyNowExceptionFilter implements ExceptionFilter<VerifyNowException> {
  private readonly logger = new Logger(VerifyNowExceptionFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: VerifyNowException, host: ArgumentsHost): void {
    const type = host.getType<string>();
    const status = exception.getStatus();
    if (status >= 500) {
      this.logger.error(`${exception.codeName}: ${exception.message}`);
    }
    if (type === 'graphql') {
      // GraphQL drivers print an error's `message`, which holds the detail for
      // logs: answer with the public body instead.
      throw new HttpException(exception.getResponse(), status, { cause: exception });
    }
    if (type !== 'http') {
      // RPC and WebSocket contexts have their own ways of answering.
      throw exception;
    }
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    if (exception.retryAfterSeconds !== undefined && [409, 429, 503].includes(status)) {
      httpAdapter.setHeader(response, 'Retry-After', String(exception.retryAfterSeconds));
    }
    httpAdapter.reply(response, exception.getResponse(), status);
  }
}
