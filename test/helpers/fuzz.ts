/**
 * Runs per property: `FUZZ_RUNS=20000 npm run test:unit` searches deeper than
 * the default, which keeps `npm test` quick.
 */
export function fuzzRuns(defaultRuns: number): number {
  const asked = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : defaultRuns;
}
