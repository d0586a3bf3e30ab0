import { BoundedList } from './sandbox.bounded-list';
import { jsonReply } from './sandbox.replies';
import { SandboxRoute } from './sandbox.router';

/** Where the outbox is served. @internal */
export const SANDBOX_OUTBOX_PATH = '/sandbox/outbox';

/** What every message the outbox holds has, whatever the provider. @internal */
export interface SandboxOutboxMessage {
  /** `+`, dial code and number. */
  phoneNumber: string;
  /** The code the message carried. */
  code: string;
}

/**
 * The codes a sandbox "sent", newest last and at most the last 1000: what a real
 * account would have delivered. Readable in code, through listeners, and at
 * `GET /sandbox/outbox[?phoneNumber=…]` once its {@link routes} are added.
 *
 * @internal
 */
export class SandboxOutbox<M extends SandboxOutboxMessage> {
  private readonly messages = new BoundedList<M>();
  private readonly listeners = new Set<(message: M) => void>();

  /** Keeps a message and hands it to every listener. */
  deliver(message: M): void {
    this.messages.push(message);
    for (const listener of this.listeners) {
      listener(message);
    }
  }

  /** The messages, newest last; optionally for one number only (`+` and digits, or digits alone). */
  list(phoneNumber?: string): M[] {
    const wanted = phoneNumber === undefined ? undefined : normalizePhone(phoneNumber);
    return this.messages.filter(
      (message) => wanted === undefined || message.phoneNumber === wanted,
    );
  }

  /** The newest code sent to a number. */
  latestCode(phoneNumber: string): string | undefined {
    return this.list(phoneNumber).at(-1)?.code;
  }

  /** Calls `listener` for each message delivered; returns a function that stops it. */
  onMessage(listener: (message: M) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every message; listeners stay. */
  clear(): void {
    this.messages.clear();
  }

  /** `GET /sandbox/outbox`, optionally filtered by the `phoneNumber` query parameter. */
  routes(): SandboxRoute[] {
    return [
      {
        method: 'GET',
        paths: [SANDBOX_OUTBOX_PATH],
        handle: ({ query }) =>
          jsonReply(200, { messages: this.list(query.get('phoneNumber') ?? undefined) }),
      },
    ];
  }
}

function normalizePhone(phone: string): string {
  return `+${phone.replace(/\D/g, '')}`;
}
