import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Seals `text` with AES-256-GCM under `key` (32 bytes): what a provider keeps in
 * the ledger (a phone number, say) is unreadable, and unforgeable, in the store.
 *
 * @internal
 */
export function seal(key: Buffer, text: string): string {
  const iv = randomBytes(12);
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
