import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import {
  CanActivate,
  ExecutionContext,
  INestApplication,
  Injectable,
  ValidationPipe,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import {
  Args,
  Context,
  Field,
  Float,
  GqlExecutionContext,
  GraphQLModule,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from '@nestjs/graphql';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Min } from 'class-validator';
import {
  RequireOtp,
  VerifiedOtp,
  VerifiedOtpProof,
  VerifyNowExceptionFilter,
  VerifyNowModule,
  VerifyNowModuleOptions,
} from '../../lib';
import { CapturingLogger } from './capturing-logger';
import { stepUpHeaders } from './http';

/** The HTTP platforms Apollo is served on. */
export type GraphqlPlatform = 'express' | 'fastify';

/** The request as the resolvers see it: the platform's, with the signed-in user. */
interface SignedInRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: { phoneNumber?: string };
}

/**
 * Authentication for these tests, global and GraphQL-aware: the phone number
 * in `x-phone` stands in for the signed-in user's. It never refuses, so that a
 * request without it reaches `@RequireOtp()` as an anonymous one.
 */
@Injectable()
class GqlPhoneAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request =
      context.getType<string>() === 'graphql'
        ? GqlExecutionContext.create(context).getContext<{ req: SignedInRequest }>().req
        : context.switchToHttp().getRequest<SignedInRequest>();
    const phone = request.headers['x-phone'];
    request.user = typeof phone === 'string' ? { phoneNumber: phone } : undefined;
    return true;
  }
}

/** One resolver run: the side effect the tests count. */
export interface ActionEntry {
  action: string;
  phone: string | undefined;
  amount?: number;
  proof: VerifiedOtp | undefined;
}

/** Every resolver run of one application, in order. */
@Injectable()
export class ActionLog {
  readonly entries: ActionEntry[] = [];

  /** Records a run and answers with what the resolver saw. */
  record(
    action: string,
    request: SignedInRequest,
    proof: VerifiedOtp | undefined,
    amount?: number,
  ): ActionResult {
    this.entries.push({ action, phone: request.user?.phoneNumber, amount, proof });
    return {
      action,
      amount,
      verificationId: proof?.verificationId,
      purpose: proof?.purpose,
      verifiedAt: proof?.verifiedAt,
      proofClass: proof?.constructor.name,
    };
  }

  /** The runs on behalf of one phone number. */
  of(phone: string): ActionEntry[] {
    return this.entries.filter((entry) => entry.phone === phone);
  }
}

@ObjectType()
export class ActionResult {
  @Field()
  action!: string;

  @Field(() => Int, { nullable: true })
  amount?: number;

  /** What `@VerifiedOtpProof()` injected. */
  @Field(() => String, { nullable: true })
  verificationId?: string;

  @Field(() => String, { nullable: true })
  purpose?: string;

  @Field(() => Float, { nullable: true })
  verifiedAt?: number;

  /** The class of the injected proof, to tell a `VerifiedOtp` from a plain object. */
  @Field(() => String, { nullable: true })
  proofClass?: string;
}

@InputType()
export class PaymentInput {
  @Field(() => Int)
  @Min(1)
  amount!: number;
}

/**
 * Sensitive fields. Every field is nullable, so that a refused field shows as
 * `null` beside the others instead of nulling the whole answer (and, in a
 * mutation, stopping the fields after it).
 */
@Resolver()
export class AccountResolver {
  constructor(private readonly log: ActionLog) {}

  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @RequireOtp()
  @Mutation(() => ActionResult, { nullable: true })
  transfer(
    @Args('amount', { type: () => Int }) amount: number,
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('transfer', request, proof, amount);
  }

  @RequireOtp()
  @Mutation(() => ActionResult, { nullable: true })
  deleteAccount(
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('deleteAccount', request, proof);
  }

  /** Its input is checked by the global `ValidationPipe`, after the guard. */
  @RequireOtp()
  @Mutation(() => ActionResult, { nullable: true })
  pay(
    @Args('input') input: PaymentInput,
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('pay', request, proof, input.amount);
  }

  @RequireOtp()
  @Query(() => ActionResult, { nullable: true })
  balance(
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('balance', request, proof);
  }

  @RequireOtp()
  @Query(() => ActionResult, { nullable: true })
  statement(
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('statement', request, proof);
  }

  /** Misconfigured on purpose: its purpose function returns no purpose. */
  @RequireOtp({ purpose: () => '' })
  @Query(() => ActionResult, { nullable: true })
  misconfigured(
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('misconfigured', request, proof);
  }
}

/** Every field of this resolver needs a proof for one named purpose. */
@RequireOtp({ purpose: 'vault' })
@Resolver()
export class VaultResolver {
  constructor(private readonly log: ActionLog) {}

  @Query(() => ActionResult, { nullable: true })
  vault(
    @Context('req') request: SignedInRequest,
    @VerifiedOtpProof() proof: VerifiedOtp | undefined,
  ): ActionResult {
    return this.log.record('vault', request, proof);
  }
}

/** A GraphQL answer: the HTTP status and the parsed body. */
export interface GraphqlAnswer {
  status: number;
  body: {
    data?: Record<string, ActionResult | string | null> | null;
    errors?: GraphqlError[];
  };
}

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; originalError?: Record<string, unknown> } & Record<string, unknown>;
}

export interface GraphqlCall {
  /** The signed-in user's phone number (`x-phone`); anonymous when unset. */
  phone?: string;
  proof?: { verificationId: string; code: string };
  variables?: Record<string, unknown>;
}

/** A running GraphQL application with `@RequireOtp()` resolvers. */
export interface GraphqlApp {
  app: INestApplication;
  url: string;
  actions: ActionLog;
  logger: CapturingLogger;
  /** POSTs an operation to `/graphql` over a real loopback socket. */
  call(query: string, options?: GraphqlCall): Promise<GraphqlAnswer>;
  close(): Promise<void>;
}

/**
 * Boots the resolvers above under Apollo (code-first, `autoSchemaFile: true`)
 * on Express or Fastify, with a global GraphQL-aware auth guard, a global
 * `ValidationPipe` and the module's exception filter, and listens on loopback.
 */
export async function startGraphqlApp(
  options: VerifyNowModuleOptions,
  platform: GraphqlPlatform,
): Promise<GraphqlApp> {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true }),
      VerifyNowModule.forRoot({
        ...options,
        guard: {
          resolvePhoneNumber: (request: SignedInRequest) => request.user?.phoneNumber,
          ...options.guard,
        },
      }),
    ],
    providers: [
      ActionLog,
      AccountResolver,
      VaultResolver,
      { provide: APP_GUARD, useClass: GqlPhoneAuthGuard },
      { provide: APP_FILTER, useClass: VerifyNowExceptionFilter },
      {
        provide: APP_PIPE,
        useValue: new ValidationPipe({
          transform: true,
          whitelist: true,
          forbidNonWhitelisted: true,
        }),
      },
    ],
  })
    .setLogger(logger)
    .compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    actions: app.get(ActionLog),
    logger,
    call: async (query, { phone, proof, variables } = {}) => {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...stepUpHeaders(phone, proof),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphqlAnswer['body'] };
    },
    close: () => app.close(),
  };
}

/** The fields of a refusal, by the alias (or field) it belongs to. */
export function errorsByField(answer: GraphqlAnswer): Record<string, GraphqlError> {
  return Object.fromEntries(
    (answer.body.errors ?? []).map((error) => [String(error.path?.[0]), error]),
  );
}

/** The `error` code of each refused field, by alias. */
export function refusals(answer: GraphqlAnswer): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(errorsByField(answer)).map(([field, error]) => [
      field,
      error.extensions?.originalError?.error,
    ]),
  );
}

/** A distinct, valid Indian mobile number per call. */
let nextPhone = 0;
export function freshGraphqlPhone(): string {
  nextPhone += 1;
  return `+9199997${String(process.pid % 100).padStart(2, '0')}${String(nextPhone).padStart(3, '0')}`;
}
