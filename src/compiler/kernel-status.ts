/**
 * Status codes a compiled kernel returns (`int kernel(void **bufs)`): 0 is success, anything else is an
 * error the kernel detected (it stops at once and writes nothing further). One table, used by the C renderer
 * (`kernelStatusDefines()` for the generated source) and by the runtime (to map a code to a typed error).
 * Codes fit in 1..255, because `callMany` packs a failing kernel's index and its code into one number.
 */
import { GraftError, IndexError, OutOfMemoryError, ZeroDivisionError } from '../ir/index.js';

export type KernelStatusName = 'indexError' | 'zeroDivision' | 'negativePower' | 'outOfMemory';

export interface KernelStatus {
  readonly name: KernelStatusName;
  readonly code: number;
  /** The C macro the renderer emits, e.g. `return GRAFT_INDEX_ERROR;`. */
  readonly macro: string;
  readonly error: new (message: string) => GraftError;
  /** The message, with PyTorch's/Python's wording. */
  readonly message: string;
}

export const KERNEL_OK = 0;

export const KERNEL_STATUSES: readonly KernelStatus[] = [
  { name: 'indexError', code: 1, macro: 'GRAFT_INDEX_ERROR', error: IndexError, message: 'index out of range in self' },
  {
    name: 'zeroDivision',
    code: 2,
    macro: 'GRAFT_ZERO_DIVISION',
    error: ZeroDivisionError,
    message: 'integer division or modulo by zero',
  },
  {
    name: 'negativePower',
    code: 3,
    macro: 'GRAFT_NEGATIVE_POWER',
    error: ZeroDivisionError,
    message: 'Integers to negative integer powers are not allowed.',
  },
  {
    name: 'outOfMemory',
    code: 4,
    macro: 'GRAFT_OUT_OF_MEMORY',
    error: OutOfMemoryError,
    message: 'cpu: out of memory (a kernel could not allocate its scratch buffers)',
  },
];

/** Code by name: `KERNEL_STATUS.indexError === 1`. */
export const KERNEL_STATUS = Object.fromEntries(KERNEL_STATUSES.map((s) => [s.name, s.code])) as Readonly<
  Record<KernelStatusName, number>
>;

const byCode = new Map(KERNEL_STATUSES.map((s) => [s.code, s]));

export function kernelStatus(code: number): KernelStatus | undefined {
  return byCode.get(code);
}

/** `#define GRAFT_OK 0` and one line per status: the preamble of every generated C file. */
export function kernelStatusDefines(): string {
  const lines = [`#define GRAFT_OK ${KERNEL_OK}`, ...KERNEL_STATUSES.map((s) => `#define ${s.macro} ${s.code}`)];
  return lines.join('\n') + '\n';
}
