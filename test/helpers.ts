/** Shared test helpers: comparisons against independent truth. */
import { expect } from 'vitest';

type Nested = number | boolean | Nested[];

function flatten(x: unknown): number[] {
  if (Array.isArray(x)) return x.flatMap(flatten);
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number | bigint>, Number);
  return [Number(x)];
}

/** Elementwise |a - b| <= atol + rtol * |b| (NaN matches NaN), with a readable failure. */
export function expectClose(actual: unknown, expected: unknown, opts: { rtol?: number; atol?: number } = {}): void {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  const a = flatten(actual);
  const b = flatten(expected);
  expect(a.length, 'number of elements').toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y)) {
      if (!Number.isNaN(x)) expect.fail(`element ${i}: got ${x}, expected NaN`);
      continue;
    }
    if (!Number.isFinite(y)) {
      if (x !== y) expect.fail(`element ${i}: got ${x}, expected ${y}`);
      continue;
    }
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      expect.fail(`element ${i}: got ${x}, expected ${y} (|diff| ${Math.abs(x - y)} > ${atol} + ${rtol}*|expected|)`);
    }
  }
}

export type { Nested };
