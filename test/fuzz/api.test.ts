/**
 * The public API under argument fuzzing (seconds per target, see budget.ts): any call gives a value or a graft
 * error and a failing call changes none of its tensor arguments. Runs with a 64 MiB buffer limit, so that no
 * drawn size can make the test allocate gigabytes. Inputs fuzzing found are regression tests in
 * api-regressions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FIXED_SEED, RANDOM_SEED, SECONDS } from './budget.js';

// Read once when graft loads; put back afterwards so no other test file in this process inherits the limit.
const previous = process.env.GRAFT_MAX_BUFFER_BYTES;
process.env.GRAFT_MAX_BUFFER_BYTES ??= String(64 << 20);
const { fuzz, report } = await import('./harness.js');
const { API_TARGETS } = await import('./targets/api.js');
if (previous === undefined) delete process.env.GRAFT_MAX_BUFFER_BYTES;

describe.each(API_TARGETS)('fuzzing $name', (target) => {
  it.each([
    ['a fixed seed', FIXED_SEED],
    ['a random seed', RANDOM_SEED],
  ])(`%s (${SECONDS} s)`, (_, seed) => {
    const r = fuzz(target, { seconds: SECONDS, seed });
    if (r.failure) throw new Error(report(r));
    expect(r.runs).toBeGreaterThan(0);
  });
});
