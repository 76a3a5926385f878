import { expect, test } from 'vitest';
import { IndexError, OutOfMemoryError, ZeroDivisionError } from '../../src/ir/index.js';
import { KERNEL_OK, KERNEL_STATUS, KERNEL_STATUSES, kernelStatus, kernelStatusDefines } from '../../src/compiler/kernel-status.js';

test('status codes are distinct, nonzero and fit in a byte (callMany packs them with the kernel index)', () => {
  const codes = KERNEL_STATUSES.map((s) => s.code);
  expect(new Set(codes).size).toBe(codes.length);
  for (const c of codes) expect(c >= 1 && c <= 255).toBe(true);
  expect(new Set(KERNEL_STATUSES.map((s) => s.macro)).size).toBe(codes.length);
});

test('the C preamble defines every code, and codes map back to their typed errors', () => {
  expect(kernelStatusDefines()).toBe(
    '#define GRAFT_OK 0\n#define GRAFT_INDEX_ERROR 1\n#define GRAFT_ZERO_DIVISION 2\n#define GRAFT_NEGATIVE_POWER 3\n#define GRAFT_OUT_OF_MEMORY 4\n',
  );
  expect(KERNEL_OK).toBe(0);
  expect(kernelStatus(KERNEL_STATUS.indexError)?.error).toBe(IndexError);
  expect(kernelStatus(KERNEL_STATUS.zeroDivision)?.error).toBe(ZeroDivisionError);
  expect(kernelStatus(KERNEL_STATUS.negativePower)?.error).toBe(ZeroDivisionError);
  expect(kernelStatus(KERNEL_STATUS.outOfMemory)?.error).toBe(OutOfMemoryError);
  expect(kernelStatus(0)).toBeUndefined();
  expect(kernelStatus(99)).toBeUndefined();
});
