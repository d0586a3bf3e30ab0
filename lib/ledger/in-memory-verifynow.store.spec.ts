import { InMemoryVerifyNowStore } from './in-memory-verifynow.store';

describe('InMemoryVerifyNowStore', () => {
  it('stays flat: expired records are swept as new ones arrive', async () => {
    let now = 0;
    const store = new InMemoryVerifyNowStore({ now: () => now });
    try {
      for (let i = 0; i < 50_000; i += 1) {
        now += 10;
        await store.record(
          { verificationId: String(i), subject: 's', purpose: null, issuedAt: now },
          1_000,
        );
      }
      // One record every 10 ms, each living 1 s: about 100 alive at any time.
      expect(store.size).toBeLessThanOrEqual(101);
      await expect(store.get('49999')).resolves.toBeDefined();
      await expect(store.get('0')).resolves.toBeUndefined();
    } finally {
      store.onApplicationShutdown();
    }
  });

  it('forgets everything and stops its timer on shutdown', async () => {
    const store = new InMemoryVerifyNowStore();
    await store.record({ verificationId: '1', subject: 's', purpose: null, issuedAt: 0 }, 60_000);
    store.onApplicationShutdown();
    expect(store.size).toBe(0);
  });
});
