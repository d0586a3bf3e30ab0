import { Controller, ExecutionContext, INestMicroservice, UseGuards } from '@nestjs/common';
import {
  ClientProxy,
  ClientProxyFactory,
  MessagePattern,
  Payload,
  Transport,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { OtpRequest, RequireOtp, RequireOtpGuard, VerifyNowModule, VerifyNowSandbox } from '../lib';
import { CapturingLogger } from './helpers/capturing-logger';
import { freshPhone } from './helpers/step-up-app';
import { freePort } from './helpers/free-port';

interface Message {
  headers: Record<string, string>;
}

/** What an application writes to carry step-up over its own transport. */
class MessageOtpGuard extends RequireOtpGuard {
  protected override getRequest(context: ExecutionContext): OtpRequest {
    return { headers: context.switchToRpc().getData<Message>().headers };
  }
}

const ran: string[] = [];

@Controller()
class TransferMessages {
  @RequireOtp({ purpose: 'rpc-transfer' })
  @MessagePattern('transfer')
  transfer(): string {
    ran.push('transfer');
    return 'done';
  }

  @UseGuards(MessageOtpGuard)
  @RequireOtp({ purpose: 'rpc-transfer' })
  @MessagePattern('transfer-with-own-guard')
  transferWithOwnGuard(@Payload() message: Message): string {
    ran.push(`own:${message.headers['x-phone']}`);
    return 'done';
  }
}

describe('@RequireOtp() outside HTTP and GraphQL (a TCP microservice)', () => {
  let sandbox: VerifyNowSandbox;
  let app: INestMicroservice;
  let client: ClientProxy;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: 'C-RPC', password: 'rpc' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        VerifyNowModule.forRoot({
          customerId: 'C-RPC',
          password: 'rpc',
          baseUrl: sandbox.url,
          guard: {
            resolvePhoneNumber: (request: OtpRequest) => request.headers['x-phone'] as string,
          },
        }),
      ],
      controllers: [TransferMessages],
    })
      .setLogger(logger)
      .compile();
    const port = await freePort();
    app = moduleRef.createNestMicroservice({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
      logger,
    });
    await app.listen();
    client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    await client.connect();
  });
  afterAll(async () => {
    client.close();
    await app.close();
    await sandbox.close();
  });

  const send = (pattern: string, headers: Record<string, string>) =>
    lastValueFrom(client.send<string>(pattern, { headers })).catch((error: unknown) => error);

  it('refuses an RPC context with a logged configuration error, never reading it as HTTP', async () => {
    const phone = freshPhone();
    const sendsBefore = sandbox.stats().send;
    const answer = await send('transfer', { 'x-phone': phone });
    expect(answer).not.toBe('done');
    expect(ran).not.toContain('transfer');
    expect(sandbox.stats().send).toBe(sendsBefore);
    expect(logger.text()).toContain(
      "@RequireOtp() is misconfigured: TransferMessages.transfer runs in a 'rpc' context",
    );
    expect(logger.text()).toContain('override getRequest()');
  });

  it('works through a subclass that overrides getRequest, applied with @UseGuards()', async () => {
    const phone = freshPhone();
    const challenged = await send('transfer-with-own-guard', { 'x-phone': phone });
    expect(challenged).not.toBe('done');
    const message = sandbox.outbox(phone).at(-1);
    expect(message).toBeDefined();
    const proof = {
      'x-phone': phone,
      'x-otp-verification-id': message!.verificationId,
      'x-otp-code': message!.code,
    };
    await expect(send('transfer-with-own-guard', proof)).resolves.toBe('done');
    expect(ran.filter((entry) => entry === `own:${phone}`)).toHaveLength(1);
    // Single use: the same proof in the next message is refused, and nothing runs.
    expect(await send('transfer-with-own-guard', proof)).not.toBe('done');
    expect(ran.filter((entry) => entry === `own:${phone}`)).toHaveLength(1);
  });
});
