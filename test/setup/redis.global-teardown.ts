/** Stops the redis-server the global setup started, if it started one. */
export default function globalTeardown(): void {
  globalThis.verifyNowTestRedis?.kill('SIGTERM');
}
