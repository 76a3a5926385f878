/**
 * The fuzzing rule and the loop that checks it. Rule: any input gives a value or a graft error (a GraftError
 * subclass): never a TypeError/RangeError/plain Error from inside graft, never a crash, never a hang.
 *
 * A target turns an input (drawn by fast-check) into calls of graft. `fuzz` runs a target for a bounded time
 * from a seed; on a failure fast-check shrinks the input, and the result names the seed and path that
 * replay it, the shrunk input (as text, and as bytes for file targets) and the error.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { GraftError } from '../../src/index.js';

export interface FuzzTarget<T> {
  readonly name: string;
  /** What fast-check draws inputs from (built on first use). */
  arbitrary(): fc.Arbitrary<T>;
  /** Run graft on the input; throws whatever graft throws. */
  run(input: T): void;
  /** The input as text a person can read and a regression test can use. */
  describe(input: T): string;
  /** File targets: the input's bytes (saved as a regression file). */
  bytes?(input: T): Uint8Array;
}

/** Raised by the rule; carries what graft threw (or how long it took). */
export class RuleBroken extends Error {
  constructor(
    message: string,
    readonly thrown: unknown,
  ) {
    super(message);
  }
}

/** A single input taking this long is reported as a (near) hang. */
export const SLOW_MS = Number(process.env.GRAFT_FUZZ_SLOW_MS ?? 5000);

/** Run one input under the rule. */
export function checkRule<T>(target: FuzzTarget<T>, input: T, onInput?: (text: () => string) => void): void {
  onInput?.(() => target.describe(input));
  const t0 = performance.now();
  try {
    target.run(input);
  } catch (e) {
    if (!(e instanceof GraftError)) {
      const what = e instanceof Error ? `${e.constructor.name}: ${e.message}` : `a thrown ${typeof e}: ${String(e)}`;
      throw new RuleBroken(`not a graft error: ${what}`, e);
    }
  }
  const ms = performance.now() - t0;
  if (ms > SLOW_MS) throw new RuleBroken(`one input took ${ms.toFixed(0)} ms (limit ${SLOW_MS} ms)`, null);
}

export interface FuzzResult {
  target: string;
  seed: number;
  runs: number;
  failure: null | { path: string; input: string; bytes?: Uint8Array; error: string; stack: string };
}

export interface FuzzOptions {
  seconds: number;
  seed: number;
  /** Called before each input with a function giving its text (long runs write it to a file for the watchdog). */
  onInput?: (text: () => string) => void;
}

/** Run `target` for `seconds` from `seed`; a failure is shrunk and reported, never thrown. */
export function fuzz<T>(target: FuzzTarget<T>, opts: FuzzOptions): FuzzResult {
  let runs = 0;
  const prop = fc.property(target.arbitrary(), (input) => {
    runs++;
    checkRule(target, input, opts.onInput);
  });
  const details = fc.check(prop, {
    seed: opts.seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: opts.seconds * 1000,
    markInterruptAsFailure: false,
    // Shrinking replays inputs: bound it too, so a failure is reported in reasonable time.
    skipAllAfterTimeLimit: opts.seconds * 1000 * 4 + 10_000,
  });
  if (!details.failed || details.counterexample === null) return { target: target.name, seed: opts.seed, runs, failure: null };
  const [input] = details.counterexample as [T];
  const err = details.errorInstance;
  const thrown = err instanceof RuleBroken ? err.thrown : err;
  return {
    target: target.name,
    seed: opts.seed,
    runs,
    failure: {
      path: details.counterexamplePath ?? '',
      input: target.describe(input),
      bytes: target.bytes?.(input),
      error: err instanceof Error ? err.message : String(err),
      stack: thrown instanceof Error ? (thrown.stack ?? '') : '',
    },
  };
}

/** A failure as a report: how to replay it, the input, the error and where it was thrown. */
export function report(r: FuzzResult): string {
  if (!r.failure) return `${r.target}: ${r.runs} inputs, no failure (seed ${r.seed})`;
  const f = r.failure;
  return [
    `${r.target}: the rule broke after ${r.runs} inputs (replay: seed ${r.seed}, path "${f.path}")`,
    `error: ${f.error}`,
    `input: ${f.input}`,
    f.stack ? `stack:\n${f.stack.split('\n').slice(0, 12).join('\n')}` : '',
  ].join('\n');
}

/** Write a file target's failing input where a regression test will replay it. */
export function saveFinding(r: FuzzResult, path: string): void {
  if (r.failure?.bytes) writeFileSync(path, r.failure.bytes);
}
