import {
  InMemoryVerifyNowStore,
  RedisVerifyNowStore,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
  VerifyNowStore,
} from '../lib';
import {
  GraphqlAnswer,
  GraphqlApp,
  GraphqlPlatform,
  errorsByField,
  freshGraphqlPhone,
  refusals,
  startGraphqlApp,
} from './helpers/graphql-app';
import { redisClient, redisUrl, uniquePrefix } from './helpers/redis';

const CUSTOMER_ID = 'C-GRAPHQL-STEP-UP';
const PASSWORD = 'graphql-step-up-password';

type StoreKind = 'memory' | 'redis';

const TRANSFER_PURPOSE = 'graphql Mutation.transfer (AccountResolver.transfer)';
const BALANCE_PURPOSE = 'graphql Query.balance (AccountResolver.balance)';

const TRANSFER = 'mutation { transfer(amount: 10) { action amount } }';
const BALANCE = 'query { balance { action } }';
const PAY = 'mutation Pay($amount: Int!) { pay(input: { amount: $amount }) { action amount } }';

describe.each<[GraphqlPlatform, StoreKind]>([
  ['express', 'memory'],
  ['express', 'redis'],
  ['fastify', 'memory'],
  ['fastify', 'redis'],
])('@RequireOtp() on GraphQL resolvers: Apollo on %s, %s store', (platform, kind) => {
  let sandbox: VerifyNowSandbox;
  let app: GraphqlApp;
  const keyPrefix = uniquePrefix();

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    const store: VerifyNowModuleOptions['store'] =
      kind === 'redis' ? { redis: { url: redisUrl(), keyPrefix } } : undefined;
    app = await startGraphqlApp(
      {
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        baseUrl: sandbox.url,
        store,
        limits: { perClientIp: false },
      },
      platform,
    );
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  /** Calls a guarded operation without proof and reads the code the sandbox "sent". */
  async function challenge(query: string, phone: string, variables?: Record<string, unknown>) {
    const answer = await app.call(query, { phone, variables });
    expect(answer.body.errors).toHaveLength(1);
    const refusal = answer.body.errors![0].extensions?.originalError;
    expect(refusal).toMatchObject({ error: 'OTP_REQUIRED', verificationId: expect.any(String) });
    const verificationId = refusal!.verificationId as string;
    const code = sandbox.outbox(phone).find((m) => m.verificationId === verificationId)?.code;
    expect(code).toBeDefined();
    return { verificationId, code: code! };
  }

  /** The `error` code each refused field carries, by alias, with the data the others got. */
  function outcome(answer: GraphqlAnswer) {
    return { data: answer.body.data, refused: refusals(answer) };
  }

  it(`keeps the ledger in the ${kind} store`, async () => {
    const store = app.app.get<VerifyNowStore>(VerifyNowStore);
    expect(store).toBeInstanceOf(kind === 'redis' ? RedisVerifyNowStore : InMemoryVerifyNowStore);
    const { verificationId } = await challenge(TRANSFER, freshGraphqlPhone());
    expect(await store.get(verificationId)).toMatchObject({
      purpose: TRANSFER_PURPOSE,
      stepUp: true,
    });
    if (kind === 'redis') {
      const redis = redisClient();
      try {
        expect(await redis.exists(`${keyPrefix}{${verificationId}}:verification`)).toBe(1);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('serves an unguarded field without proof', async () => {
    const answer = await app.call('query { ping }');
    expect(answer).toEqual({ status: 200, body: { data: { ping: 'pong' } } });
  });

  it('answers a field without proof with OTP_REQUIRED in errors[].extensions.originalError, after sending one code', async () => {
    const phone = freshGraphqlPhone();
    const sendsBefore = sandbox.stats().send;
    const answer = await app.call(TRANSFER, { phone });
    // Nest's Apollo driver keeps the HTTP status at 200 once execution ran.
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ transfer: null });
    expect(answer.body.errors).toEqual([
      {
        message: expect.any(String),
        locations: [{ line: 1, column: 12 }],
        path: ['transfer'],
        extensions: {
          code: 'UNAUTHENTICATED',
          originalError: {
            statusCode: 401,
            error: 'OTP_REQUIRED',
            responseCode: null,
            message:
              'This action needs a one-time code: repeat it with the verification id and the code.',
            verificationId: expect.stringMatching(/^\d+$/),
            expiresIn: 60,
          },
        },
      },
    ]);
    const { verificationId } = answer.body.errors![0].extensions!.originalError!;
    expect(sandbox.stats().send).toBe(sendsBefore + 1);
    expect(sandbox.outbox(phone).map((m) => m.verificationId)).toEqual([verificationId]);
    expect(app.actions.of(phone)).toEqual([]);
  });

  it('passes the field with the proof headers and injects the VerifiedOtp for its default purpose', async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge(TRANSFER, phone);
    const answer = await app.call(
      'mutation { transfer(amount: 7) { action amount verificationId purpose verifiedAt proofClass } }',
      { phone, proof },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: {
        transfer: {
          action: 'transfer',
          amount: 7,
          verificationId: proof.verificationId,
          purpose: TRANSFER_PURPOSE,
          verifiedAt: expect.any(Number),
          proofClass: 'VerifiedOtp',
        },
      },
    });
    expect(app.actions.of(phone)).toHaveLength(1);
    expect(app.actions.of(phone)[0]).toMatchObject({
      action: 'transfer',
      amount: 7,
      proof: { verificationId: proof.verificationId, purpose: TRANSFER_PURPOSE },
    });
  });

  it('lets one proof pass one field of a mutation: an alias of the same field and another field are refused', async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge(TRANSFER, phone);
    const validatesBefore = sandbox.stats().validate;
    const mutation =
      'mutation { a: transfer(amount: 1) { action amount } b: transfer(amount: 2) { action amount } c: deleteAccount { action } }';
    const answer = await app.call(mutation, { phone, proof });
    expect(answer.status).toBe(200);
    expect(outcome(answer)).toEqual({
      data: { a: { action: 'transfer', amount: 1 }, b: null, c: null },
      refused: { b: 'OTP_ALREADY_USED', c: 'OTP_ALREADY_USED' },
    });
    expect(errorsByField(answer).b.extensions).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      status: 409,
      originalError: { statusCode: 409, error: 'OTP_ALREADY_USED', responseCode: null },
    });
    // Only the first field ran, and only it asked the upstream.
    expect(app.actions.of(phone).map((e) => [e.action, e.amount])).toEqual([['transfer', 1]]);
    expect(sandbox.stats().validate).toBe(validatesBefore + 1);

    // The same operation again with the same proof: nothing runs. The first
    // field owns the proof (the ledger refuses it as used); the others never
    // reach the ledger.
    const replay = await app.call(mutation, { phone, proof });
    expect(outcome(replay)).toEqual({
      data: { a: null, b: null, c: null },
      refused: { a: 'OTP_ALREADY_USED', b: 'OTP_ALREADY_USED', c: 'OTP_ALREADY_USED' },
    });
    expect(app.actions.of(phone)).toHaveLength(1);
    expect(sandbox.stats().validate).toBe(validatesBefore + 1);
  });

  it('lets one proof pass at most one of two guarded query fields resolved in parallel', async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge(BALANCE, phone);
    const answer = await app.call('query { balance { action purpose } statement { action } }', {
      phone,
      proof,
    });
    expect(answer.body.data).toEqual({
      balance: { action: 'balance', purpose: BALANCE_PURPOSE },
      statement: null,
    });
    expect(Object.keys(refusals(answer))).toEqual(['statement']);
    expect(refusals(answer).statement).toBe('OTP_ALREADY_USED');
    expect(app.actions.of(phone).map((e) => e.action)).toEqual(['balance']);
  });

  it('lets one proof pass only one of two parallel aliases of the same query field', async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge(BALANCE, phone);
    const validatesBefore = sandbox.stats().validate;
    const answer = await app.call('query { a: balance { action } b: balance { action } }', {
      phone,
      proof,
    });
    const data = answer.body.data!;
    const passed = ['a', 'b'].filter((alias) => data[alias] !== null);
    expect(passed).toHaveLength(1);
    const refused = refusals(answer);
    expect(Object.keys(refused)).toEqual(['a', 'b'].filter((alias) => !passed.includes(alias)));
    expect(Object.values(refused)[0]).toBe('OTP_ALREADY_USED');
    expect(app.actions.of(phone).map((e) => e.action)).toEqual(['balance']);
    // The loser was refused before the ledger, never by a second upstream call.
    expect(sandbox.stats().validate).toBe(validatesBefore + 1);
  });

  it("refuses a proof for another field's purpose with OTP_PURPOSE_MISMATCH, and leaves it usable for its own", async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge(TRANSFER, phone);
    const elsewhere = await app.call('mutation { deleteAccount { action } }', { phone, proof });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.data).toEqual({ deleteAccount: null });
    expect(elsewhere.body.errors).toHaveLength(1);
    expect(elsewhere.body.errors![0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      originalError: { statusCode: 403, error: 'OTP_PURPOSE_MISMATCH', responseCode: null },
    });
    expect(app.actions.of(phone)).toEqual([]);

    const own = await app.call(TRANSFER, { phone, proof });
    expect(own.body).toEqual({ data: { transfer: { action: 'transfer', amount: 10 } } });
    expect(app.actions.of(phone).map((e) => e.action)).toEqual(['transfer']);
  });

  it('gives the proof back when the input fails validation, and spends it once the resolver ran', async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge(PAY, phone, { amount: 5 });
    const validatesBefore = sandbox.stats().validate;

    const invalid = await app.call(PAY, { phone, proof, variables: { amount: 0 } });
    expect(invalid.body.data).toEqual({ pay: null });
    expect(invalid.body.errors).toHaveLength(1);
    expect(invalid.body.errors![0].extensions).toMatchObject({
      code: 'BAD_REQUEST',
      originalError: {
        statusCode: 400,
        message: expect.arrayContaining(['amount must not be less than 1']),
      },
    });
    expect(app.actions.of(phone)).toEqual([]);
    expect(sandbox.stats().validate).toBe(validatesBefore + 1);

    const valid = await app.call(PAY, { phone, proof, variables: { amount: 5 } });
    expect(valid.body).toEqual({ data: { pay: { action: 'pay', amount: 5 } } });
    // Accepted again from the ledger, without a second upstream call.
    expect(sandbox.stats().validate).toBe(validatesBefore + 1);

    const replay = await app.call(PAY, { phone, proof, variables: { amount: 5 } });
    expect(outcome(replay)).toEqual({ data: { pay: null }, refused: { pay: 'OTP_ALREADY_USED' } });
    expect(app.actions.of(phone).map((e) => [e.action, e.amount])).toEqual([['pay', 5]]);
  });

  it('sends one code for a mutation of three guarded fields without proof', async () => {
    const phone = freshGraphqlPhone();
    const answer = await app.call(
      'mutation { a: transfer(amount: 1) { action } b: transfer(amount: 2) { action } c: deleteAccount { action } }',
      { phone },
    );
    expect(outcome(answer)).toEqual({
      data: { a: null, b: null, c: null },
      refused: { a: 'OTP_REQUIRED', b: 'OTP_REQUIRED', c: 'OTP_CHALLENGE_PENDING' },
    });
    const byField = errorsByField(answer);
    const sent = sandbox.outbox(phone);
    expect(sent).toHaveLength(1);
    // The second alias of the same field is handed the pending code back.
    expect(byField.a.extensions?.originalError?.verificationId).toBe(sent[0].verificationId);
    expect(byField.b.extensions?.originalError?.verificationId).toBe(sent[0].verificationId);
    expect(app.actions.of(phone)).toEqual([]);
  });

  it('protects every field of a resolver class decorated as a whole', async () => {
    const phone = freshGraphqlPhone();
    const proof = await challenge('query { vault { action } }', phone);
    const answer = await app.call('query { vault { action purpose proofClass } }', {
      phone,
      proof,
    });
    expect(answer.body).toEqual({
      data: { vault: { action: 'vault', purpose: 'vault', proofClass: 'VerifiedOtp' } },
    });
  });

  it('refuses an anonymous request with OTP_SUBJECT_UNKNOWN and sends nothing', async () => {
    const sendsBefore = sandbox.stats().send;
    const answer = await app.call(TRANSFER);
    expect(answer.body.data).toEqual({ transfer: null });
    expect(answer.body.errors![0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      originalError: { statusCode: 401, error: 'OTP_SUBJECT_UNKNOWN' },
    });
    expect(answer.body.errors![0].extensions?.originalError?.verificationId).toBeUndefined();
    expect(sandbox.stats().send).toBe(sendsBefore);
  });

  it('answers a misconfigured field with a generic error, its detail only in the log', async () => {
    const phone = freshGraphqlPhone();
    const answer = await app.call('query { misconfigured { action } }', { phone });
    expect(answer.body.data).toEqual({ misconfigured: null });
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error.extensions?.originalError).toEqual({
      statusCode: 500,
      error: 'INTERNAL_SERVER_ERROR',
      responseCode: null,
      message: 'The verification service is not available right now.',
    });
    expect(app.logger.text()).toContain('the purpose function of AccountResolver.misconfigured');
    // What a client reads must not carry what the log says to the operator.
    expect(error.message).not.toContain('misconfigured');
    expect(error.message).not.toContain('AccountResolver');
    expect(app.actions.of(phone)).toEqual([]);
  });
});
