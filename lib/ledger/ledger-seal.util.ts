import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Random IVs drawn 256 at a time (one system call for many, as `randomUUID`
 * does): each seal still gets 12 fresh random bytes, never reused.
 */
const pool = Buffer.alloc(IV_BYTES * 256);
let offset = pool.length;

function nextIv(): Buffer {
  if (offset + IV_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += IV_BYTES;
  return Buffer.from(pool.subarray(offset - IV_BYTES, offset));
}

/**
 * Seals `text` with AES-256-GCM under `key` (32 bytes): what a provider keeps in
 * the ledger (a phone number, say) is unreadable, and unforgeable, in the store.
 *
 * @internal
 */
export function seal(key: Buffer, text: string): string {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/**
 * Opens what {@link seal} made under the same key; `undefined` when it was made
 * under another key, changed, or is not sealed at all.
 *
 * @internal
 */
export function unseal(key: Buffer, sealed: string): string | undefined {
  const [version, body] = sealed.split('.');
  if (version !== VERSION || body === undefined) {
    return undefined;
  }
  const bytes = Buffer.from(body, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
