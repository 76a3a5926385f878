/**
 * How long the fuzz tests run in CI: GRAFT_FUZZ_SECONDS per target and seed (default 1.5), one fixed seed
 * (the same inputs every run) and one random seed, printed so that a failure can be replayed. Long runs:
 * `node scripts/fuzz.js [target] --seconds N`.
 */
export const SECONDS = Number(process.env.GRAFT_FUZZ_SECONDS ?? 1.5);
export const FIXED_SEED = 20240611;
export const RANDOM_SEED = Number(process.env.GRAFT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
