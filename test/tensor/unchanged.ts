/** Test helper: an operation that throws must leave every tensor involved as it was. */
import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';

interface Snapshot {
  shape: number[];
  dtype: string;
  values: unknown;
  version: number;
}

function snap(t: Tensor): Snapshot {
  return { shape: t.shape, dtype: t.dtype, values: t.tolist(), version: t._root._version };
}

/**
 * Run `fn`, expect it to throw an instance of `type` whose message contains `message`, and check that
 * every tensor in `tensors` has the same shape, dtype, values, version and base node afterwards.
 */
export function expectThrowsUnchanged(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  message: string | RegExp,
  tensors: readonly Tensor[],
): void {
  const before = tensors.map(snap);
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(type);
  if (typeof message === 'string') expect((caught as Error).message).toContain(message);
  else expect((caught as Error).message).toMatch(message);
  const after = tensors.map(snap);
  after.forEach((a, i) => {
    expect(a.shape, `shape of tensor ${i}`).toEqual(before[i]!.shape);
    expect(a.dtype, `dtype of tensor ${i}`).toBe(before[i]!.dtype);
    expect(a.values, `values of tensor ${i}`).toEqual(before[i]!.values);
    expect(a.version, `version of tensor ${i}`).toBe(before[i]!.version);
  });
}
