import { AsyncHook, createHook } from 'node:async_hooks';
import { sep } from 'node:path';

/** The kinds of handle that keep a process alive and that a test may forget. */
const KINDS = new Set(['TCPWRAP', 'TCPSERVERWRAP', 'Timeout']);

/** Frames of Jest's own machinery: its reporters and runners keep timers of their own. */
const JEST_FRAME = /[\\/]node_modules[\\/](jest-[^\\/]+|@jest[\\/][^\\/]+)[\\/]/;

interface Created {
  type: string;
  resource: { hasRef?: () => boolean; _idleTimeout?: number };
  origin: string;
}

/**
 * Records the sockets, servers and timers created from the moment it starts,
 * and which of them are still open: what a test left behind. Handles created by
 * Jest itself (its reporter and test timers share the process when it runs in
 * band) are not the test's, and are not counted.
 */
export class OpenHandles {
  private static readonly active = new Set<OpenHandles>();
  private readonly created = new Map<number, Created>();
  private readonly hook: AsyncHook;

  private constructor() {
    this.hook = createHook({
      init: (id, type, _trigger, resource) => {
        if (!KINDS.has(type)) return;
        const origin = originOf();
        if (origin === undefined) return;
        this.created.set(id, { type, resource, origin });
      },
      destroy: (id) => {
        this.created.delete(id);
      },
    });
  }

  /** Starts recording. */
  static track(): OpenHandles {
    const tracker = new OpenHandles();
    tracker.hook.enable();
    OpenHandles.active.add(tracker);
    return tracker;
  }

  /** Stops every recording still running (after a test that failed before its check). */
  static stopAll(): void {
    for (const tracker of OpenHandles.active) tracker.stop();
  }

  /** Stops recording. */
  stop(): void {
    this.hook.disable();
    OpenHandles.active.delete(this);
  }

  /** What is still open, each as its kind and where it was created. */
  leftOpen(): string[] {
    return [...this.created.values()]
      .filter(({ type, resource }) => type !== 'Timeout' || resource.hasRef?.() === true)
      .map(({ type, resource, origin }) =>
        type === 'Timeout'
          ? `Timeout (${resource._idleTimeout} ms) at ${origin}`
          : `${type} at ${origin}`,
      );
  }

  /**
   * Waits a little (closing a socket takes a few turns of the event loop; a
   * forgotten deadline timer lasts far longer), stops recording, and fails the
   * test with the list of what is still open.
   */
  async expectNothingLeftOpen(): Promise<void> {
    for (let i = 0; i < 10 && this.leftOpen().length > 0; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const open = this.leftOpen();
    this.stop();
    expect(open).toEqual([]);
  }
}

/**
 * Where a handle is being created: the first frame outside Node's internals,
 * relative to the project; `undefined` when that frame is Jest's own or this
 * helper's (its own waits).
 */
function originOf(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  // Past this hook's own frames, the first outside Node's internals.
  const firstOutside = frames.findIndex((line) => !line.includes(__filename));
  const frame = frames
    .slice(firstOutside)
    .find(
      (line) =>
        !line.includes('(node:') &&
        !line.startsWith('at node:') &&
        !line.startsWith('at new Promise (<anonymous>)'),
    );
  if (frame === undefined) return "Node's internals only (a server's listen, say)";
  if (JEST_FRAME.test(frame) || frame.includes(__filename)) return undefined;
  return frame.replace(/^at /, '').replace(`${process.cwd()}${sep}`, '');
}
