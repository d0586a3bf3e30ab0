/** Magic numbers of the embedded sandbox (README, "The embedded sandbox") the specs share. */
export const SANDBOX_NUMBERS = {
  /** VerifyNow answers HTTP 429: certainly not sent, so it fails over to Verihubs. */
  failover: '+6282123069429',
  /** VerifyNow answers HTTP 400 "Msisdn invalid". */
  refused: '+6282123060002',
  /** VerifyNow answers an HTML 503: ambiguous, no failover. */
  down: '+6282123069503',
  /** The send succeeds; every validation answers 705 (expired). */
  expires: '+6282123062705',
  /** The send succeeds; every validation answers 800 (the upstream locked it). */
  upstreamLocks: '+6282123062800',
  /** The send succeeds; every validation answers an HTML 503 (the upstream looks down). */
  validationsDown: '+6282123068503',
} as const;
