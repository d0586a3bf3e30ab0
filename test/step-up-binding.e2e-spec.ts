import {
  BadRequestException,
  Body,
  Controller,
  ExecutionContext,
  HttpCode,
  INestApplication,
  Injectable,
  Module,
  ModuleMetadata,
  Post,
  Req,
  SetMetadata,
  Type,
  UseGuards,
  VersioningType,
} from '@nestjs/common';
import { APP_GUARD, RouterModule } from '@nestjs/core';
import { RouteConstraints } from '@nestjs/platform-fastify';
import { IsInt, Max, Min } from 'class-validator';
import {
  OtpRequest,
  RequireOtp,
  RequireOtpGuard,
  RequireOtpOptions,
  VerifiedOtp,
  VerifiedOtpProof,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
  VerifyNowStore,
} from '../lib';
import { OTP_HTTP_PROVIDERS } from '../sample/src/app.module';
import { CapturingLogger } from './helpers/capturing-logger';
import { PLATFORMS, Platform } from './helpers/otp-app';
import { uniquePrefix } from './helpers/redis';
import {
  AuthModule,
  COMBOS,
  FixtureApp,
  HandlerRuns,
  HeaderAuthGuard,
  Proof,
  SkewedClock,
  boot,
  challenge,
  moduleOptions,
  newPhone,
  sends,
  startSandbox,
  validations,
  wrongCode,
} from './helpers/step-up-fixtures';
import type { SignedInRequest } from './helpers/step-up-fixtures';

/** Nest's static Logger writes to the app created last: every app of this file shares one. */
const logger = new CapturingLogger();

function linesSince(mark: number): string[] {
  return logger.lines.slice(mark);
}

// ---------------------------------------------------------------------------
// Requirement 1 and 2: who applies the guard, and in which order it runs.
// ---------------------------------------------------------------------------

/** Authentication on the controller, `@RequireOtp()` on the route. */
@UseGuards(HeaderAuthGuard)
@Controller('class-auth')
class ClassAuthController {
  @RequireOtp()
  @Post('act')
  @HttpCode(200)
  act() {
    return { status: 'done' };
  }
}

/** `@RequireOtp()` on the controller, written above its `@UseGuards(auth)`. */
@RequireOtp({ purpose: 'whole' })
@UseGuards(HeaderAuthGuard)
@Controller('whole')
class WholeController {
  @Post('act')
  @HttpCode(200)
  act() {
    return { status: 'done' };
  }
}

/** `@UseGuards(auth)` written above `@RequireOtp()` on the controller: auth runs too late. */
@UseGuards(HeaderAuthGuard)
@RequireOtp({ purpose: 'whole-late' })
@Controller('whole-late')
class WholeLateAuthController {
  @Post('act')
  @HttpCode(200)
  act() {
    return { status: 'done' };
  }
}

@Controller('route-auth')
class RouteAuthController {
  /** `@RequireOtp()` above the auth guard: auth runs first. */
  @RequireOtp()
  @UseGuards(HeaderAuthGuard)
  @Post('first')
  @HttpCode(200)
  first() {
    return { status: 'done' };
  }

  /** The auth guard written above `@RequireOtp()`: it runs after the OTP guard. */
  @UseGuards(HeaderAuthGuard)
  @RequireOtp()
  @Post('late')
  @HttpCode(200)
  late() {
    return { status: 'done' };
  }
}

@Controller('global')
class GlobalTooController {
  @RequireOtp()
  @Post('act')
  @HttpCode(200)
  act() {
    return { status: 'done' };
  }

  /** The guard three times: globally, by hand, and by the decorator. */
  @UseGuards(RequireOtpGuard)
  @RequireOtp({ purpose: 'global-by-hand' })
  @Post('by-hand')
  @HttpCode(200)
  byHand() {
    return { status: 'done' };
  }

  @Post('open')
  @HttpCode(200)
  open() {
    return { status: 'open' };
  }
}

/** In a module that does not import VerifyNowModule (which is not global). */
@Controller('feature')
class FeatureController {
  @RequireOtp()
  @Post('act')
  @HttpCode(200)
  act() {
    return { status: 'done' };
  }

  @UseGuards(RequireOtpGuard)
  @RequireOtp({ purpose: 'feature-by-hand' })
  @Post('by-hand')
  @HttpCode(200)
  byHand() {
    return { status: 'done' };
  }
}

@Module({ controllers: [FeatureController] })
class FeatureModule {}

/**
 * A subclass that binds every proof to the tenant too, registered globally the
 * way earlier versions asked (`{ provide: APP_GUARD, useClass: ... }`).
 */
@Injectable()
class TenantOtpGuard extends RequireOtpGuard {
  protected override getPurpose(
    context: ExecutionContext,
    request: OtpRequest,
    route: RequireOtpOptions,
  ): string {
    return `${super.getPurpose(context, request, route)} tenant:${String(request.headers['x-tenant'])}`;
  }
}

@Controller('tenant')
class TenantController {
  @RequireOtp()
  @Post('act')
  @HttpCode(200)
  act() {
    return { status: 'done' };
  }
}

describe.each(PLATFORMS)('who applies RequireOtpGuard, and when it runs, on %s', (platform) => {
  let sandbox: VerifyNowSandbox;
  /** No APP_GUARD at all: authentication on controllers and routes. */
  let noGlobal: FixtureApp;
  /** RequireOtpGuard as APP_GUARD in AppModule, authentication as APP_GUARD in AuthModule. */
  let globalToo: FixtureApp;
  /** The guarded controller in a feature module; VerifyNowModule only in AppModule. */
  let feature: FixtureApp;
  /** A subclass of RequireOtpGuard as APP_GUARD. */
  let subclass: FixtureApp;

  beforeAll(async () => {
    ({ sandbox } = await startSandbox());
    const options = moduleOptions(sandbox, 'memory');
    noGlobal = await boot(
      {
        imports: [VerifyNowModule.forRoot(options)],
        controllers: [
          ClassAuthController,
          WholeController,
          WholeLateAuthController,
          RouteAuthController,
        ],
        providers: OTP_HTTP_PROVIDERS,
      },
      { platform, logger },
    );
    globalToo = await boot(
      {
        imports: [VerifyNowModule.forRoot(options), AuthModule],
        controllers: [GlobalTooController],
        providers: [...OTP_HTTP_PROVIDERS, { provide: APP_GUARD, useClass: RequireOtpGuard }],
      },
      { platform, logger },
    );
    feature = await boot(
      {
        imports: [VerifyNowModule.forRoot(options), AuthModule, FeatureModule],
        providers: OTP_HTTP_PROVIDERS,
      },
      { platform, logger },
    );
    subclass = await boot(
      {
        imports: [VerifyNowModule.forRoot(options), AuthModule],
        controllers: [TenantController],
        providers: [...OTP_HTTP_PROVIDERS, { provide: APP_GUARD, useClass: TenantOtpGuard }],
      },
      { platform, logger },
    );
  });
  afterAll(async () => {
    await noGlobal?.close();
    await globalToo?.close();
    await feature?.close();
    await subclass?.close();
    await sandbox?.close();
  });

  /** Challenge, prove once (exactly one upstream validation), and see the replay refused. */
  async function provesOnce(app: FixtureApp, path: string): Promise<void> {
    const phone = newPhone();
    const sendsBefore = sends(sandbox);
    const proof = await challenge(app, sandbox, path, phone);
    expect(sends(sandbox) - sendsBefore).toBe(1);
    const validatesBefore = validations(sandbox);
    const passed = await app.call(path, { phone, proof });
    expect([passed.status, passed.body]).toEqual([200, { status: 'done' }]);
    expect(validations(sandbox) - validatesBefore).toBe(1);
    const replay = await app.call(path, { phone, proof });
    expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
    expect(validations(sandbox) - validatesBefore).toBe(1);
  }

  it('(no APP_GUARD at all) @RequireOtp() alone protects a route behind controller-level auth', async () => {
    const sendsBefore = sends(sandbox);
    const anonymous = await noGlobal.call('/class-auth/act');
    expect([anonymous.status, anonymous.body.error]).toEqual([401, 'OTP_SUBJECT_UNKNOWN']);
    expect(sends(sandbox)).toBe(sendsBefore);
    await provesOnce(noGlobal, '/class-auth/act');
  });

  it('(no APP_GUARD at all) @RequireOtp() written above @UseGuards(auth) on the controller', async () => {
    await provesOnce(noGlobal, '/whole/act');
  });

  it('(no APP_GUARD at all) @RequireOtp() written above @UseGuards(auth) on the route', async () => {
    await provesOnce(noGlobal, '/route-auth/first');
  });

  it.each([
    ['/route-auth/late', 'RouteAuthController.late'],
    ['/whole-late/act', 'WholeLateAuthController.act'],
  ])(
    'auth written above @RequireOtp() (%s) runs too late: 401 OTP_SUBJECT_UNKNOWN, a warning naming the later guard, nothing sent',
    async (path, where) => {
      const mark = logger.lines.length;
      const sendsBefore = sends(sandbox);
      const answer = await noGlobal.call(path, { phone: newPhone() });
      expect([answer.status, answer.body.error]).toEqual([401, 'OTP_SUBJECT_UNKNOWN']);
      expect(answer.body.message).toMatch(/authenticated/);
      expect(answer.body.verificationId).toBeUndefined();
      expect(sends(sandbox)).toBe(sendsBefore);
      const warning = linesSince(mark).find(
        (line) => line.startsWith('warn') && line.includes(where),
      );
      expect(warning).toBeDefined();
      expect(warning).toContain('HeaderAuthGuard');
      expect(warning).toContain('@RequireOtp() above @UseGuards');
    },
  );

  it('(the issue) global RequireOtpGuard in AppModule + auth APP_GUARD in AuthModule: a signed-in request gets a code', async () => {
    const phone = newPhone();
    const answer = await globalToo.call('/global/act', { phone });
    expect([answer.status, answer.body.error]).toEqual([401, 'OTP_REQUIRED']);
    expect(answer.body.verificationId).toMatch(/^\d+$/);
    expect(sandbox.outbox(phone)).toHaveLength(1);
    const anonymous = await globalToo.call('/global/act');
    expect([anonymous.status, anonymous.body.error]).toEqual([401, 'OTP_SUBJECT_UNKNOWN']);
  });

  it('global RequireOtpGuard plus the decorator: one check, one upstream validation, one send', async () => {
    await provesOnce(globalToo, '/global/act');
  });

  it('global, by hand and by the decorator on one route: still one check and one validation', async () => {
    await provesOnce(globalToo, '/global/by-hand');
  });

  it('the global RequireOtpGuard leaves a route without @RequireOtp() alone', async () => {
    const answer = await globalToo.call('/global/open');
    expect([answer.status, answer.body]).toEqual([200, { status: 'open' }]);
  });

  it('works in a controller of a module that does not import VerifyNowModule (no isGlobal)', async () => {
    await provesOnce(feature, '/feature/act');
  });

  it('and with @UseGuards(RequireOtpGuard) written by hand there too', async () => {
    await provesOnce(feature, '/feature/by-hand');
  });

  it('a global subclass that binds proofs tighter (to a tenant) is not silently bypassed by the guard the decorator applies', async () => {
    const phone = newPhone();
    const mark = logger.lines.length;
    const proof = await challenge(subclass, sandbox, '/tenant/act', phone, { 'x-tenant': 'a' });
    const otherTenant = await subclass.call('/tenant/act', {
      phone,
      proof,
      headers: { 'x-tenant': 'b' },
    });
    const warned = linesSince(mark).some(
      (line) => line.startsWith('warn') && line.includes('TenantOtpGuard'),
    );
    // Either the subclass's binding holds, or the application is told it is ignored.
    expect({ status: otherTenant.status, warned }).not.toEqual({ status: 200, warned: false });
  });
});

// ---------------------------------------------------------------------------
// Requirements 4, 5 and 6, and attacks on them: one proof, one action.
// ---------------------------------------------------------------------------

class TransferDto {
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  amount!: number;
}

@Controller('account')
class AccountController {
  constructor(private readonly runs: HandlerRuns) {}

  @RequireOtp()
  @Post('transfer')
  @HttpCode(200)
  transfer(
    @Body() body: TransferDto,
    @Req() request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp,
  ) {
    this.runs.record('transfer', request);
    return { status: 'transferred', amount: body.amount, proof };
  }

  @RequireOtp({ purpose: 'password-change' })
  @Post('password')
  @HttpCode(200)
  changePassword(@Req() request: SignedInRequest) {
    this.runs.record('password', request);
    return { status: 'changed' };
  }

  /** An action that fails after it started. */
  @RequireOtp({ purpose: 'explode' })
  @Post('explode')
  @HttpCode(200)
  explode(@Req() request: SignedInRequest) {
    this.runs.record('explode', request);
    throw new BadRequestException('the action failed after it started');
  }

  @RequireOtp({ purpose: 'explode-later' })
  @Post('explode-later')
  @HttpCode(200)
  async explodeLater(@Req() request: SignedInRequest) {
    this.runs.record('explode-later', request);
    await new Promise((resolve) => setImmediate(resolve));
    throw new BadRequestException('the action failed after it started');
  }
}

/** `@RequireOtp()` on the controller, and again (overriding the purpose) on routes. */
@RequireOtp({ purpose: 'vault' })
@Controller('vault')
class VaultController {
  constructor(private readonly runs: HandlerRuns) {}

  @Post('open')
  @HttpCode(200)
  open(@Req() request: SignedInRequest) {
    this.runs.record('vault-open', request);
    return { status: 'vault open' };
  }

  @RequireOtp({ purpose: 'vault-read' })
  @Post('read')
  @HttpCode(200)
  read(@Req() request: SignedInRequest, @VerifiedOtpProof() proof: VerifiedOtp) {
    this.runs.record('vault-read', request);
    return { status: 'read', proof };
  }

  @RequireOtp({ purpose: 'vault-wipe' })
  @Post('wipe')
  @HttpCode(200)
  wipe(@Req() request: SignedInRequest) {
    this.runs.record('vault-wipe', request);
    throw new BadRequestException('the wipe failed after it started');
  }
}

function bindingApp(options: VerifyNowModuleOptions): ModuleMetadata {
  return {
    imports: [VerifyNowModule.forRoot(options), AuthModule],
    controllers: [AccountController, VaultController],
    providers: [HandlerRuns, ...OTP_HTTP_PROVIDERS],
  };
}

describe.each(COMBOS)('one proof, one action (%s store on %s)', (kind, platform) => {
  let sandbox: VerifyNowSandbox;
  let sandboxClock: SkewedClock;
  const appClock = new SkewedClock();
  let app: FixtureApp;
  let runs: HandlerRuns;
  /** With Redis: a second instance sharing the first one's ledger. */
  let other: FixtureApp | undefined;
  let otherRuns: HandlerRuns | undefined;

  beforeAll(async () => {
    ({ sandbox, clock: sandboxClock } = await startSandbox());
    const prefix = uniquePrefix();
    app = await boot(bindingApp(moduleOptions(sandbox, kind, prefix)), {
      platform,
      logger,
      clock: appClock,
    });
    runs = app.app.get(HandlerRuns);
    if (kind === 'redis') {
      other = await boot(bindingApp(moduleOptions(sandbox, kind, prefix)), { platform, logger });
      otherRuns = other.app.get(HandlerRuns);
    }
  });
  afterAll(async () => {
    await other?.close();
    await app?.close();
    await sandbox?.close();
  });

  const store = (): VerifyNowStore => app.app.get<VerifyNowStore>(VerifyNowStore);

  async function transferProof(phone: string): Promise<Proof> {
    return challenge(app, sandbox, '/account/transfer', phone);
  }

  describe('spent when the handler runs (requirement 5)', () => {
    it('a 400 from the ValidationPipe leaves the proof usable once more, without a second upstream call', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const validatesBefore = validations(sandbox);
      const invalid = await app.call('/account/transfer', {
        phone,
        proof,
        body: { amount: 'a lot' },
      });
      expect(invalid.status).toBe(400);
      expect(runs.count('transfer', phone)).toBe(0);
      expect(validations(sandbox) - validatesBefore).toBe(1);

      const fixed = await app.call('/account/transfer', { phone, proof, body: { amount: 5 } });
      expect(fixed.status).toBe(200);
      expect(fixed.body).toMatchObject({
        status: 'transferred',
        amount: 5,
        proof: { verificationId: proof.verificationId },
      });
      expect(validations(sandbox) - validatesBefore).toBe(1);

      const replay = await app.call('/account/transfer', { phone, proof, body: { amount: 5 } });
      expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
      expect(runs.count('transfer', phone)).toBe(1);
      expect(validations(sandbox) - validatesBefore).toBe(1);
    });

    it('survives any number of 400s, then passes exactly once', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const validatesBefore = validations(sandbox);
      for (const body of [{ amount: -1 }, { amount: 'x' }, { amount: 1, extra: true }]) {
        const invalid = await app.call('/account/transfer', { phone, proof, body });
        expect(invalid.status).toBe(400);
      }
      const passed = await app.call('/account/transfer', { phone, proof, body: { amount: 2 } });
      expect(passed.status).toBe(200);
      const replay = await app.call('/account/transfer', { phone, proof, body: { amount: 2 } });
      expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
      expect(validations(sandbox) - validatesBefore).toBe(1);
      expect(runs.count('transfer', phone)).toBe(1);
    });

    it('lets exactly 1 of 20 concurrent requests through with a restored proof', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const invalid = await app.call('/account/transfer', { phone, proof, body: {} });
      expect(invalid.status).toBe(400);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          app.call('/account/transfer', { phone, proof, body: { amount: 3 } }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(19);
      expect(runs.count('transfer', phone)).toBe(1);
    });

    it('bad and good bodies racing with one proof: the action runs exactly once', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          app.call('/account/transfer', {
            phone,
            proof,
            body: i % 2 === 0 ? { amount: 'bad' } : { amount: 7 },
          }),
        ),
      );
      const passed = answers.filter((answer) => answer.status === 200).length;
      expect(passed).toBeLessThanOrEqual(1);
      expect(runs.count('transfer', phone)).toBe(passed);
      // Whatever the interleaving, the proof does exactly one action in all.
      const last = await app.call('/account/transfer', { phone, proof, body: { amount: 7 } });
      expect(last.status).toBe(passed === 1 ? 409 : 200);
      expect(runs.count('transfer', phone)).toBe(1);
      const replay = await app.call('/account/transfer', { phone, proof, body: { amount: 7 } });
      expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
    });

    it.each(['/account/explode', '/account/explode-later'])(
      'a handler that throws after it started (%s) spends the proof: it never runs twice',
      async (path) => {
        const phone = newPhone();
        const proof = await challenge(app, sandbox, path, phone);
        const route = path.slice('/account/'.length);
        const first = await app.call(path, { phone, proof });
        expect(first.status).toBe(400);
        expect(runs.count(route, phone)).toBe(1);
        const replay = await app.call(path, { phone, proof });
        expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
        expect(runs.count(route, phone)).toBe(1);
        expect(await store().get(proof.verificationId)).toMatchObject({ state: 'consumed' });
      },
    );

    it('@RequireOtp() on the controller and on the route: a handler that throws after it started still spends the proof', async () => {
      const phone = newPhone();
      const proof = await challenge(app, sandbox, '/vault/wipe', phone);
      const first = await app.call('/vault/wipe', { phone, proof });
      expect(first.status).toBe(400);
      expect(runs.count('vault-wipe', phone)).toBe(1);
      const replay = await app.call('/vault/wipe', { phone, proof });
      expect({
        status: replay.status,
        error: replay.body.error,
        handlerRuns: runs.count('vault-wipe', phone),
      }).toEqual({ status: 409, error: 'OTP_ALREADY_USED', handlerRuns: 1 });
      expect(await store().get(proof.verificationId)).toMatchObject({ state: 'consumed' });
    });

    it('a wrong code on a restored proof counts as a failed try (no upstream call); the 6th try is refused', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      expect((await app.call('/account/transfer', { phone, proof, body: {} })).status).toBe(400);
      const validatesBefore = validations(sandbox);
      const wrong = await app.call('/account/transfer', {
        phone,
        proof: { ...proof, code: wrongCode(proof.code) },
      });
      expect([wrong.status, wrong.body.error, wrong.body.attemptsLeft]).toEqual([
        401,
        'OTP_INVALID',
        4,
      ]);
      expect(await store().get(proof.verificationId)).toMatchObject({ failedAttempts: 1 });
      for (let i = 0; i < 4; i += 1) {
        const again = await app.call('/account/transfer', {
          phone,
          proof: { ...proof, code: wrongCode(proof.code) },
        });
        expect(again.body.error).toBe('OTP_INVALID');
      }
      const right = await app.call('/account/transfer', { phone, proof });
      expect([right.status, right.body.error]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
      expect(validations(sandbox)).toBe(validatesBefore);
      expect(runs.count('transfer', phone)).toBe(0);
    });

    it('a restored proof is refused to another subject and stays usable by its owner', async () => {
      const owner = newPhone();
      const proof = await transferProof(owner);
      expect((await app.call('/account/transfer', { phone: owner, proof, body: {} })).status).toBe(
        400,
      );
      const thief = newPhone();
      const stolen = await app.call('/account/transfer', { phone: thief, proof });
      expect([stolen.status, stolen.body.error]).toEqual([403, 'OTP_SUBJECT_MISMATCH']);
      expect(runs.count('transfer', thief)).toBe(0);
      expect((await app.call('/account/transfer', { phone: owner, proof })).status).toBe(200);
    });

    it('a restored proof is refused for another purpose and stays usable for its own', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      expect((await app.call('/account/transfer', { phone, proof, body: {} })).status).toBe(400);
      for (const path of ['/account/password', '/account/explode', '/vault/open']) {
        const elsewhere = await app.call(path, { phone, proof });
        expect([path, elsewhere.status, elsewhere.body.error]).toEqual([
          path,
          403,
          'OTP_PURPOSE_MISMATCH',
        ]);
      }
      expect(runs.count('password', phone)).toBe(0);
      expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
    });

    it('a restored proof older than maxAgeSeconds is refused with OTP_EXPIRED, without an upstream call', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      expect((await app.call('/account/transfer', { phone, proof, body: {} })).status).toBe(400);
      const validatesBefore = validations(sandbox);
      appClock.offsetMs += 600_001;
      try {
        const stale = await app.call('/account/transfer', { phone, proof });
        expect([stale.status, stale.body.error]).toEqual([401, 'OTP_EXPIRED']);
      } finally {
        appClock.offsetMs -= 600_001;
      }
      expect(validations(sandbox)).toBe(validatesBefore);
      expect(runs.count('transfer', phone)).toBe(0);
    });
  });

  describe('one proof, one action over HTTP (requirement 4)', () => {
    it('the guard applied on the controller and on the route checks once: one upstream validation, the route purpose', async () => {
      const phone = newPhone();
      const proof = await challenge(app, sandbox, '/vault/read', phone);
      const validatesBefore = validations(sandbox);
      const read = await app.call('/vault/read', { phone, proof });
      expect(read.status).toBe(200);
      expect(read.body.proof).toMatchObject({
        verificationId: proof.verificationId,
        purpose: 'vault-read',
      });
      expect(validations(sandbox) - validatesBefore).toBe(1);
      expect(runs.count('vault-read', phone)).toBe(1);
    });

    it('a controller-wide purpose never passes a route that overrides it, and the reverse', async () => {
      const phone = newPhone();
      const vault = await challenge(app, sandbox, '/vault/open', phone);
      const read = await app.call('/vault/read', { phone, proof: vault });
      expect([read.status, read.body.error]).toEqual([403, 'OTP_PURPOSE_MISMATCH']);
      expect((await app.call('/vault/open', { phone, proof: vault })).status).toBe(200);
    });

    it('a proof that passed one action passes no other', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
      const again = await app.call('/account/transfer', { phone, proof });
      expect([again.status, again.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
      const other = await app.call('/account/password', { phone, proof });
      expect(other.status).toBe(403);
      expect(runs.count('transfer', phone)).toBe(1);
    });
  });

  describe('bound to its subject and purpose (requirement 6)', () => {
    it('a challenge for another purpose while a code is pending: 409 OTP_CHALLENGE_PENDING with Retry-After, no id; the first proof still works', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const sendsBefore = sends(sandbox);
      const other = await app.call('/account/password', { phone });
      expect([other.status, other.body.error]).toEqual([409, 'OTP_CHALLENGE_PENDING']);
      const retryAfter = Number(other.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(other.body.verificationId).toBeUndefined();
      expect(JSON.stringify(other.body)).not.toContain(proof.verificationId);
      expect(sandbox.outbox(phone)).toHaveLength(1);
      expect(sends(sandbox) - sendsBefore).toBe(1); // the upstream answered "pending"

      // The pending verification is no proof for the other purpose either.
      const crossed = await app.call('/account/password', { phone, proof });
      expect([crossed.status, crossed.body.error]).toEqual([403, 'OTP_PURPOSE_MISMATCH']);
      expect(await store().get(proof.verificationId)).toMatchObject({
        purpose: 'POST /account/transfer (AccountController.transfer)',
        stepUp: true,
        failedAttempts: 0,
        state: 'open',
      });
      expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
    });

    it('the same purpose gets its own pending verification back, nothing more is sent', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const again = await app.call('/account/transfer', { phone });
      expect([again.status, again.body.error, again.body.verificationId]).toEqual([
        401,
        'OTP_REQUIRED',
        proof.verificationId,
      ]);
      expect(sandbox.outbox(phone)).toHaveLength(1);
    });

    it('a locked verification is never handed back: 429 with Retry-After, then a fresh verification once it expired', async () => {
      const phone = newPhone();
      const locked = await transferProof(phone);
      for (let i = 0; i < 5; i += 1) {
        const wrong = await app.call('/account/transfer', {
          phone,
          proof: { ...locked, code: wrongCode(locked.code) },
        });
        expect(wrong.body.error).toBe('OTP_INVALID');
      }
      const refused = await app.call('/account/transfer', { phone });
      expect([refused.status, refused.body.error]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.body.verificationId).toBeUndefined();
      const elsewhere = await app.call('/account/password', { phone });
      expect([elsewhere.status, elsewhere.body.error]).toEqual([409, 'OTP_CHALLENGE_PENDING']);
      expect(elsewhere.body.verificationId).toBeUndefined();

      sandboxClock.offsetMs += (retryAfter + 1) * 1000;
      const fresh = await transferProof(phone);
      expect(fresh.verificationId).not.toBe(locked.verificationId);
      expect((await app.call('/account/transfer', { phone, proof: fresh })).status).toBe(200);
    });

    it('a spent verification is never handed back: the next challenge is a fresh verification', async () => {
      const phone = newPhone();
      const spent = await transferProof(phone);
      expect((await app.call('/account/transfer', { phone, proof: spent })).status).toBe(200);
      const next = await transferProof(phone);
      expect(next.verificationId).not.toBe(spent.verificationId);
    });
  });

  describe('header tricks', () => {
    it('duplicate proof headers are refused with 400, cost no upstream call and no try', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const validatesBefore = validations(sandbox);
      const tricks: Record<string, string | string[]>[] = [
        {
          'x-otp-verification-id': [proof.verificationId, proof.verificationId],
          'x-otp-code': [proof.code, proof.code],
        },
        { 'x-otp-verification-id': proof.verificationId, 'x-otp-code': [proof.code, '000000'] },
        {
          'x-otp-verification-id': [proof.verificationId, '1'],
          'X-OTP-CODE': proof.code,
        },
      ];
      for (const headers of tricks) {
        const answer = await app.call('/account/transfer', { phone, headers });
        expect([answer.status, answer.body.error]).toEqual([400, 'INVALID_INPUT']);
      }
      expect(validations(sandbox)).toBe(validatesBefore);
      expect(await store().get(proof.verificationId)).toMatchObject({
        failedAttempts: 0,
        state: 'open',
      });
      expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
    });

    it('whitespace: padding is ignored, whitespace inside a value is refused', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const inside = await app.call('/account/transfer', {
        phone,
        proof: {
          verificationId: proof.verificationId,
          code: `${proof.code.slice(0, 3)} ${proof.code.slice(3)}`,
        },
      });
      expect([inside.status, inside.body.error]).toEqual([400, 'INVALID_INPUT']);
      const padded = await app.call('/account/transfer', {
        phone,
        proof: { verificationId: ` ${proof.verificationId}\t`, code: `  ${proof.code} ` },
      });
      expect(padded.status).toBe(200);
    });

    it('very long, zero-padded or foreign ids cost no upstream call and leave the real proof alone', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const validatesBefore = validations(sandbox);
      const tooLong = await app.call('/account/transfer', {
        phone,
        proof: { verificationId: '9'.repeat(5_000), code: proof.code },
      });
      expect([tooLong.status, tooLong.body.error]).toEqual([400, 'INVALID_INPUT']);
      const tooLongToo = await app.call('/account/transfer', {
        phone,
        proof: { verificationId: `1${'0'.repeat(128)}`, code: proof.code },
      });
      expect([tooLongToo.status, tooLongToo.body.error]).toEqual([400, 'INVALID_INPUT']);
      const huge = await app.call('/account/transfer', {
        phone,
        proof: { verificationId: '9'.repeat(100_000), code: proof.code },
      });
      expect(huge.status).toBe(431);
      const unknownIds = [`000${proof.verificationId}`, '9'.repeat(19), `1${'0'.repeat(19)}`, '0'];
      for (const verificationId of [...unknownIds, 'a1b2-c3d4', '0'.repeat(128)]) {
        const unknown = await app.call('/account/transfer', {
          phone,
          proof: { verificationId, code: proof.code },
        });
        expect([unknown.status, unknown.body.error]).toEqual([401, 'OTP_UNKNOWN']);
      }
      // Arabic-Indic digits, sent as their UTF-8 bytes (header values are bytes).
      const arabicDigits = Buffer.from('١٢٣٤٥٦', 'utf8').toString('latin1');
      for (const fake of [
        { verificationId: proof.verificationId, code: arabicDigits },
        { verificationId: arabicDigits, code: proof.code },
      ]) {
        const answer = await app.call('/account/transfer', { phone, proof: fake });
        expect([answer.status, answer.body.error]).toEqual([400, 'INVALID_INPUT']);
      }
      expect(validations(sandbox)).toBe(validatesBefore);
      expect(await store().get(proof.verificationId)).toMatchObject({ failedAttempts: 0 });
      expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
    });

    it('a proof in the query string or the body is no proof', async () => {
      const phone = newPhone();
      const proof = await transferProof(phone);
      const validatesBefore = validations(sandbox);
      const query = `verificationId=${proof.verificationId}&code=${proof.code}`;
      const inQuery = await app.call(`/account/transfer?${query}`, { phone });
      expect([inQuery.status, inQuery.body.error]).toEqual([401, 'OTP_REQUIRED']);
      const inBody = await app.call('/account/transfer', {
        phone,
        body: { amount: 1, verificationId: proof.verificationId, code: proof.code },
      });
      expect([inBody.status, inBody.body.error]).toEqual([401, 'OTP_REQUIRED']);
      expect(validations(sandbox)).toBe(validatesBefore);
      expect(runs.count('transfer', phone)).toBe(0);
      expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
    });
  });

  if (kind === 'redis') {
    describe('two instances sharing one Redis ledger', () => {
      it('a proof issued on A passes on B, once; A then refuses it', async () => {
        const phone = newPhone();
        const proof = await transferProof(phone);
        const onB = await other!.call('/account/transfer', { phone, proof });
        expect(onB.status).toBe(200);
        const onA = await app.call('/account/transfer', { phone, proof });
        expect([onA.status, onA.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
      });

      it('a proof used on A is refused on B', async () => {
        const phone = newPhone();
        const proof = await transferProof(phone);
        expect((await app.call('/account/transfer', { phone, proof })).status).toBe(200);
        const onB = await other!.call('/account/transfer', { phone, proof });
        expect([onB.status, onB.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
      });

      it('20 parallel uses of one proof across both instances: exactly one 200', async () => {
        const phone = newPhone();
        const proof = await transferProof(phone);
        const validatesBefore = validations(sandbox);
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? app : other!).call('/account/transfer', { phone, proof }),
          ),
        );
        const statuses = answers.map((answer) => answer.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(1);
        expect(statuses.filter((status) => status === 409)).toHaveLength(19);
        expect(runs.count('transfer', phone) + otherRuns!.count('transfer', phone)).toBe(1);
        expect(validations(sandbox) - validatesBefore).toBe(1);
      });

      it('a proof restored on A (a 400) passes once on B, without an upstream call', async () => {
        const phone = newPhone();
        const proof = await transferProof(phone);
        expect((await app.call('/account/transfer', { phone, proof, body: {} })).status).toBe(400);
        const validatesBefore = validations(sandbox);
        expect((await other!.call('/account/transfer', { phone, proof })).status).toBe(200);
        const replay = await app.call('/account/transfer', { phone, proof });
        expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
        expect(validations(sandbox)).toBe(validatesBefore);
      });

      it('wrong codes count across instances: 3 on A and 2 on B lock it on both', async () => {
        const phone = newPhone();
        const proof = await transferProof(phone);
        const wrong = { ...proof, code: wrongCode(proof.code) };
        for (const instance of [app, app, app, other!, other!]) {
          expect((await instance.call('/account/transfer', { phone, proof: wrong })).status).toBe(
            401,
          );
        }
        for (const instance of [app, other!]) {
          const locked = await instance.call('/account/transfer', { phone, proof });
          expect([locked.status, locked.body.error]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
        }
      });
    });
  }
});

// ---------------------------------------------------------------------------
// Requirement 7: default purposes are unique per handler; purpose functions fail closed.
// ---------------------------------------------------------------------------

/** Two classes of one name, as two feature modules would declare them. */
function itemsController(): Type<unknown> {
  @Controller()
  class ItemsController {
    @RequireOtp()
    @Post('items/delete')
    @HttpCode(200)
    delete(@VerifiedOtpProof() proof: VerifiedOtp) {
      return { status: 'deleted', proof };
    }
  }
  return ItemsController;
}

@Module({ controllers: [itemsController()] })
class MeModule {}

@Module({ controllers: [itemsController()] })
class AdminModule {}

function payController(version: string): Type<unknown> {
  @Controller({ path: 'pay', version })
  class PayController {
    @RequireOtp()
    @Post()
    @HttpCode(200)
    pay(@VerifiedOtpProof() proof: VerifiedOtp) {
      return { version, proof };
    }
  }
  return PayController;
}

/** A controller bound to one host: `host` on Express, a route constraint on Fastify. */
function hostedController(host: string, platform: Platform): Type<unknown> {
  const onHost =
    platform === 'fastify' ? RouteConstraints({ host }) : SetMetadata('fixture:host', host);
  @Controller({ path: 'hosted', ...(platform === 'express' ? { host } : {}) })
  class HostedController {
    @RequireOtp()
    @onHost
    @Post('delete')
    @HttpCode(200)
    delete(@VerifiedOtpProof() proof: VerifiedOtp) {
      return { host, proof };
    }
  }
  return HostedController;
}

@Controller('fn')
class PurposeFunctionController {
  constructor(private readonly runs: HandlerRuns) {}

  @RequireOtp({ purpose: () => null as unknown as string })
  @Post('null')
  returnsNull(@Req() request: SignedInRequest) {
    this.runs.record('fn', request);
  }

  @RequireOtp({ purpose: () => '' })
  @Post('empty')
  returnsEmpty(@Req() request: SignedInRequest) {
    this.runs.record('fn', request);
  }

  @RequireOtp({ purpose: () => '   ' })
  @Post('blank')
  returnsBlank(@Req() request: SignedInRequest) {
    this.runs.record('fn', request);
  }

  @RequireOtp({ purpose: () => 42 as unknown as string })
  @Post('number')
  returnsNumber(@Req() request: SignedInRequest) {
    this.runs.record('fn', request);
  }

  @RequireOtp({ purpose: () => Promise.resolve('later') as unknown as string })
  @Post('promise')
  returnsPromise(@Req() request: SignedInRequest) {
    this.runs.record('fn', request);
  }

  @RequireOtp({
    purpose: () => {
      throw new Error('no resource');
    },
  })
  @Post('throws')
  throws(@Req() request: SignedInRequest) {
    this.runs.record('fn', request);
  }

  @RequireOtp({
    purpose: (request: { params: Record<string, string> }) => `document:${request.params.id}`,
  })
  @Post('document/:id')
  @HttpCode(200)
  document(@Req() request: SignedInRequest) {
    this.runs.record('document', request);
    return { status: 'signed' };
  }
}

describe.each(PLATFORMS)('default purposes are unique per handler, on %s', (platform) => {
  let sandbox: VerifyNowSandbox;
  /** Global prefix `api`, URI versioning, RouterModule `me` and `admin`, purpose functions. */
  let uri: FixtureApp;
  /** Header versioning, host-bound controllers. */
  let header: FixtureApp;
  let runs: HandlerRuns;

  beforeAll(async () => {
    ({ sandbox } = await startSandbox());
    const options = moduleOptions(sandbox, 'memory');
    uri = await boot(
      {
        imports: [
          VerifyNowModule.forRoot(options),
          AuthModule,
          MeModule,
          AdminModule,
          RouterModule.register([
            { path: 'me', module: MeModule },
            { path: 'admin', module: AdminModule },
          ]),
        ],
        controllers: [payController('1'), payController('2'), PurposeFunctionController],
        providers: [HandlerRuns, ...OTP_HTTP_PROVIDERS],
      },
      {
        platform,
        logger,
        configure: (app: INestApplication) => {
          app.setGlobalPrefix('api');
          app.enableVersioning({ type: VersioningType.URI });
        },
      },
    );
    runs = uri.app.get(HandlerRuns);
    header = await boot(
      {
        imports: [VerifyNowModule.forRoot(options), AuthModule],
        controllers: [
          payController('1'),
          payController('2'),
          hostedController('me.localhost', platform),
          hostedController('admin.localhost', platform),
        ],
        providers: OTP_HTTP_PROVIDERS,
      },
      {
        platform,
        logger,
        configure: (app: INestApplication) =>
          app.enableVersioning({ type: VersioningType.HEADER, header: 'x-api-version' }),
      },
    );
  });
  afterAll(async () => {
    await uri?.close();
    await header?.close();
    await sandbox?.close();
  });

  /** A proof for `from` is refused at `to` (403 OTP_PURPOSE_MISMATCH) and passes at `from`. */
  async function notShared(
    app: FixtureApp,
    from: { path: string; headers?: Record<string, string> },
    to: { path: string; headers?: Record<string, string> },
  ): Promise<VerifiedOtp> {
    const phone = newPhone();
    const proof = await challenge(app, sandbox, from.path, phone, from.headers);
    const validatesBefore = validations(sandbox);
    const elsewhere = await app.call(to.path, { phone, proof, headers: to.headers });
    expect([elsewhere.status, elsewhere.body.error]).toEqual([403, 'OTP_PURPOSE_MISMATCH']);
    expect(validations(sandbox)).toBe(validatesBefore);
    const own = await app.call(from.path, { phone, proof, headers: from.headers });
    expect(own.status).toBe(200);
    return own.body.proof as VerifiedOtp;
  }

  it('RouterModule prefixes and a global prefix: /me/items/delete never proves /admin/items/delete', async () => {
    const proof = await notShared(
      uri,
      { path: '/api/me/items/delete' },
      { path: '/api/admin/items/delete' },
    );
    expect(proof.purpose).toContain('/api/me/items/delete');
    const back = await notShared(
      uri,
      { path: '/api/admin/items/delete' },
      { path: '/api/me/items/delete' },
    );
    expect(back.purpose).not.toBe(proof.purpose);
  });

  it('a challenge at /admin while a code for /me is pending is another purpose: 409 OTP_CHALLENGE_PENDING', async () => {
    const phone = newPhone();
    await challenge(uri, sandbox, '/api/me/items/delete', phone);
    const admin = await uri.call('/api/admin/items/delete', { phone });
    expect([admin.status, admin.body.error]).toEqual([409, 'OTP_CHALLENGE_PENDING']);
  });

  it('URI versions: v1 never proves v2', async () => {
    const v1 = await notShared(uri, { path: '/api/v1/pay' }, { path: '/api/v2/pay' });
    const v2 = await notShared(uri, { path: '/api/v2/pay' }, { path: '/api/v1/pay' });
    expect(v1.purpose).not.toBe(v2.purpose);
  });

  it('header versions on one path: version 1 never proves version 2', async () => {
    const v1 = await notShared(
      header,
      { path: '/pay', headers: { 'x-api-version': '1' } },
      { path: '/pay', headers: { 'x-api-version': '2' } },
    );
    const v2 = await notShared(
      header,
      { path: '/pay', headers: { 'x-api-version': '2' } },
      { path: '/pay', headers: { 'x-api-version': '1' } },
    );
    expect(v1.purpose).not.toBe(v2.purpose);
  });

  it('host-bound controllers of one path: a proof for one host never proves the other', async () => {
    const phone = newPhone();
    const me = { host: 'me.localhost' };
    const admin = { host: 'admin.localhost' };
    const proof = await challenge(header, sandbox, '/hosted/delete', phone, me);
    const elsewhere = await header.call('/hosted/delete', { phone, proof, headers: admin });
    expect({
      status: elsewhere.status,
      error: elsewhere.body.error,
      ranOn: elsewhere.body.host,
      purpose: elsewhere.body.proof?.purpose,
    }).toEqual({
      status: 403,
      error: 'OTP_PURPOSE_MISMATCH',
      ranOn: undefined,
      purpose: undefined,
    });
    const own = await header.call('/hosted/delete', { phone, proof, headers: me });
    expect([own.status, own.body.host]).toEqual([200, 'me.localhost']);
  });

  it('a purpose function binds a proof to its resource', async () => {
    await notShared(uri, { path: '/api/fn/document/1' }, { path: '/api/fn/document/2' });
  });

  it.each(['null', 'empty', 'blank', 'number', 'promise', 'throws'])(
    'a purpose function that %s fails closed: 500, logged as a configuration problem, the handler never runs',
    async (name) => {
      const phone = newPhone();
      const mark = logger.lines.length;
      const sendsBefore = sends(sandbox);
      const validatesBefore = validations(sandbox);
      const withoutProof = await uri.call(`/api/fn/${name}`, { phone });
      const withProof = await uri.call(`/api/fn/${name}`, {
        phone,
        proof: { verificationId: '123456', code: '123456' },
      });
      for (const answer of [withoutProof, withProof]) {
        expect(answer.status).toBe(500);
        expect(answer.body.error).toBe('INTERNAL_SERVER_ERROR');
        expect(JSON.stringify(answer.body)).not.toMatch(/purpose|misconfigured/i);
      }
      const logged = linesSince(mark).filter(
        (line) => line.startsWith('error') && line.includes('misconfigured'),
      );
      expect(logged.join('\n')).toContain(`the purpose function of PurposeFunctionController.`);
      expect(runs.count('fn', phone)).toBe(0);
      expect(sends(sandbox)).toBe(sendsBefore);
      expect(validations(sandbox)).toBe(validatesBefore);
    },
  );
});
