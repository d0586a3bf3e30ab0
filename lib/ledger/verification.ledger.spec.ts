import { resolveVerifyNowOptions } from '../config/verifynow-options.resolver';
import { InMemoryVerifyNowStore } from './in-memory-verifynow.store';
import { VerificationLedger } from './verification.ledger';
import type { VerificationEntry, VerifyNowStore } from './verifynow-store.interface';

const OPTIONS = resolveVerifyNowOptions(
  { customerId: 'C-LEDGER', password: 'ledger-password' },
  {},
);
const CLOCK = { now: () => Date.now() };
const DATA = '{"msisdn":"6281234567890","challenge":"login"}';
const ENTRY: VerificationEntry = {
  verificationId: 'v-1',
  subject: 'subject-digest',
  purpose: null,
  stepUp: false,
  provider: 'verihubs',
  providerData: DATA,
  issuedAt: CLOCK.now(),
};

/** A store of the application's own: everything it is given leaves the process. */
function foreignStore(inner: InMemoryVerifyNowStore): VerifyNowStore {
  return {
    record: (entry, ttlMs) => inner.record(entry, ttlMs),
    get: (id) => inner.get(id),
    claim: (id, leaseMs, max) => inner.claim(id, leaseMs, max),
    settle: (id, token, outcome, digest) => inner.settle(id, token, outcome, digest),
  };
}

describe('VerificationLedger: what a provider keeps', () => {
  const stores: InMemoryVerifyNowStore[] = [];
  const memory = (): InMemoryVerifyNowStore => {
    const store = new InMemoryVerifyNowStore(CLOCK);
    stores.push(store);
    return store;
  };
  afterAll(() => stores.forEach((store) => store.onApplicationShutdown()));

  it('seals it (AES-256-GCM) in any store but the in-memory one, and opens it on reading', async () => {
    const inner = memory();
    const ledger = new VerificationLedger(foreignStore(inner), OPTIONS, CLOCK);
    await ledger.record(ENTRY);
    const stored = (await inner.get('v-1'))?.providerData;
    expect(stored).toMatch(/^v1\.[\w-]+$/);
    expect(stored).not.toContain('6281234567890');
    expect((await ledger.get('v-1'))?.providerData).toBe(DATA);
  });

  it('leaves out what does not open: sealed under other credentials, or changed', async () => {
    const inner = memory();
    const other = resolveVerifyNowOptions(
      { customerId: 'C-OTHER', password: 'other-password' },
      {},
    );
    await new VerificationLedger(foreignStore(inner), other, CLOCK).record(ENTRY);
    const record = await new VerificationLedger(foreignStore(inner), OPTIONS, CLOCK).get('v-1');
    expect(record).toBeDefined();
    expect(record?.providerData).toBeUndefined();
  });

  it('keeps it as it is in the in-memory store, whose memory is the process', async () => {
    const store = memory();
    const ledger = new VerificationLedger(store, OPTIONS, CLOCK);
    await ledger.record(ENTRY);
    expect((await store.get('v-1'))?.providerData).toBe(DATA);
    expect((await ledger.get('v-1'))?.providerData).toBe(DATA);
  });
});
