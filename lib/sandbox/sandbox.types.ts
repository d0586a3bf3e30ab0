/**
 * The sandbox's provider-neutral public types. The VerifyNow-specific ones
 * (options, messages, stats) live with VerifyNow's sandbox state, in
 * `lib/providers/verifynow/sandbox/verifynow-sandbox.types.ts`; all of them are
 * re-exported from `verifynow-sandbox.ts`.
 */

/** One request the sandbox received: method and path, never the query (it holds secrets). */
export interface VerifyNowSandboxRequest {
  method: string;
  path: string;
}
