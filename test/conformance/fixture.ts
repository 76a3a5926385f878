/**
 * The conformance fixtures written by scripts/conformance/gen.py (PyTorch 1.13, CPU): their types, loading,
 * and decoding of values and arguments into graft's terms.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DType } from '../../src/index.js';

/** A number as stored: non-finite floats are the strings 'nan', 'inf', '-inf'. */
export type Stored = number | 'nan' | 'inf' | '-inf';

export interface TensorRecord {
  shape: number[];
  dtype: DType;
  /** Absent for the outputs of printing cases (the text holds them). */
  values: Stored[];
  /** Inputs only: the tensor requires grad. */
  grad?: boolean;
}

export interface ErrorRecord {
  /** PyTorch's exception class. */
  torch: string;
  /** The graft error class expected (an export of graft: ShapeError, DTypeError, ...). */
  graft: string;
  /** A substring of PyTorch's message that graft's message must contain too. */
  match: string;
  /** PyTorch's message (first line), for reports. */
  message: string;
}

export interface CaseRecord {
  id: string;
  op: string;
  args: unknown[];
  kw?: Record<string, unknown>;
  inputs: TensorRecord[];
  note?: string;
  out?: TensorRecord[];
  /** The op returned several tensors (a tuple or a list). */
  multi?: boolean;
  tol?: [number, number];
  gtol?: [number, number];
  gradFn?: (string | null)[];
  /** In-place ops: the inputs after the op. */
  after?: TensorRecord[];
  /** Per output: the weight w of the scalar sum(out * w) that was differentiated (null: not differentiated). */
  w?: (Stored[] | null)[];
  /** Per input that requires grad, in order: d sum(out * w) / d input (null: no path). */
  grads?: (TensorRecord | null)[];
  /** Second order: per first-order gradient g_i, the weight v_i of sum(g_i * v_i) (null: g_i has no graph). */
  v?: (Stored[] | null)[];
  grads2?: (TensorRecord | null)[];
  error?: ErrorRecord;
  /** Printing cases: str(output). */
  text?: string;
}

export interface Fixture {
  torch: string;
  cases: CaseRecord[];
}

interface StoredFixture {
  torch: string;
  /** Inputs used by several cases, stored once; a case's input may be {shared: i, grad?}. */
  shared: TensorRecord[];
  cases: CaseRecord[];
}

export function loadFixture(category: string): Fixture {
  const path = fileURLToPath(new URL(`./fixtures/${category}.json`, import.meta.url));
  const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredFixture;
  for (const c of stored.cases) {
    c.inputs = c.inputs.map((r) => {
      const ref = (r as { shared?: number }).shared;
      return ref === undefined ? r : { ...stored.shared[ref]!, ...(r.grad ? { grad: true } : {}) };
    });
  }
  return { torch: stored.torch, cases: stored.cases };
}

export function decodeNumber(v: Stored): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

/** Flat values into nested arrays of the given shape (what torch.tensor takes). */
export function nest(flat: readonly (number | boolean)[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  let pos = 0;
  const build = (d: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < shape[d]!; i++) out.push(d === shape.length - 1 ? flat[pos++] : build(d + 1));
    return out;
  };
  return build(0);
}

/** PyTorch snake_case to graft camelCase ('floor_divide' -> 'floorDivide'; a trailing '_' stays). */
export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
