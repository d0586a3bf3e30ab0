/**
 * The memory benchmark's child (run with `--expose-gc`): records, claims and
 * settles `argv[2]` verifications in an `InMemoryVerifyNowStore` on a clock it
 * moves by hand, then moves the clock past their lifetime, lets one more write
 * sweep, collects garbage and reports the heap.
 */
import { InMemoryVerifyNowStore } from 'nestjs-verifynow';

const TTL_MS = 10 * 60_000;
const count = Number(process.argv[2]);
let now = Date.now();
const store = new InMemoryVerifyNowStore({ now: () => now });

function heapMb(): number {
  (globalThis as unknown as { gc: () => void }).gc();
  (globalThis as unknown as { gc: () => void }).gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function main(): Promise<void> {
  const baselineMb = heapMb();
  const started = process.hrtime.bigint();
  let peakMb = 0;
  for (let i = 0; i < count; i += 1) {
    const verificationId = String(1_000_000_000 + i);
    await store.record(
      {
        verificationId,
        subject: `s${i % 10_000}`,
        purpose: 'POST /account/transfer',
        issuedAt: now,
      },
      TTL_MS,
    );
    // Nine in ten are used, as step-up codes are; the rest are left to expire.
    if (i % 10 !== 0) {
      const claim = await store.claim(verificationId, 15_000, 5);
      if (claim.status !== 'claimed') {
        throw new Error(`claim ${verificationId}: ${claim.status}`);
      }
      await store.settle(verificationId, claim.token, 'verified');
    }
    // A million sends spread over a simulated 100 seconds: all alive at the end.
    if (i % 10_000 === 0) {
      now += 1_000;
    }
    if (i === count - 1) {
      peakMb = heapMb();
    }
  }
  const livePeak = store.size;
  now += TTL_MS + 1;
  // The next write sweeps what expired.
  await store.record({ verificationId: '1', subject: 's', purpose: null, issuedAt: now }, TTL_MS);
  const afterExpiryMb = heapMb();
  process.send?.({
    baselineMb,
    peakMb,
    livePeak,
    afterExpiryMb,
    liveAfterExpiry: store.size,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  });
  store.onApplicationShutdown();
}

void main();
