/** Shared test helpers: comparisons against independent truth, the error a call throws, what it writes to stderr. */
import { expect, vi } from 'vitest';

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

/** The error `fn` throws (a test fails when it throws none). */
export function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** What `fn` writes to stderr (GRAFT_DEBUG lines), not passed on. */
export function captureStderr(fn: () => void): string {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    lines.push(String(s));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines.join('');
}
