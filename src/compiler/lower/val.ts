/**
 * Scalar values of a kernel: what one element of a fused computation is, as a DAG of C-level operations
 * over loads, constants, loop indices and reduction accumulators. Values are hash-consed per kernel (equal
 * values are one object), so the renderer computes each common subexpression once.
 */
import type { DType } from '../../ir/dtype.js';
import type { ReduceOp } from '../../ir/ops.js';
import { castScalar, scalarKey, type Scalar } from '../../ir/scalar.js';
import { condKey, dataOf, type Cond, type Sym } from './sym.js';

/** Elementwise operations a value can apply: the IR's elementwise ops plus `cast` (to the value's dtype). */
export type ValOp = string;

export type Val =
  /** A constant: a bigint for int64, a number otherwise. */
  | { readonly k: 'const'; readonly id: number; readonly dtype: DType; readonly value: Scalar }
  /** p[index] where p is kernel parameter `param`; only read where `guard` holds (else 0). */
  | { readonly k: 'load'; readonly id: number; readonly dtype: DType; readonly param: number; readonly index: Sym; readonly guard: Cond }
  /** An index expression used as a value (iota), converted to the value's dtype. */
  | { readonly k: 'index'; readonly id: number; readonly dtype: DType; readonly index: Sym }
  /**
   * An elementwise op. `guard` is set on ops that can raise an error (integer division): the error counts
   * only where the guard holds.
   */
  | { readonly k: 'op'; readonly id: number; readonly dtype: DType; readonly op: ValOp; readonly args: readonly Val[]; readonly guard: Cond }
  /** The result of reduction `acc` of the kernel (defined per row). */
  | { readonly k: 'acc'; readonly id: number; readonly dtype: DType; readonly acc: number }
  /** The per-call key of the counter-based generator (src/ir/random.ts), from the two seed words. */
  | { readonly k: 'randkey'; readonly id: number; readonly dtype: DType; readonly s0: Val; readonly s1: Val; readonly salt: number }
  /** Uniform [0, 1) number at a counter. */
  | { readonly k: 'rand'; readonly id: number; readonly dtype: DType; readonly key: Val; readonly counter: Sym }
  /**
   * A data-dependent index checked against [0, size): its value where in range, else 0 and error code 1
   * (where `guard` holds). The checked value is referenced from index expressions as a data atom `ref`.
   */
  | { readonly k: 'checkidx'; readonly id: number; readonly dtype: DType; readonly x: Val; readonly size: number; readonly guard: Cond; readonly ref: number }
  /** Whether a condition (the valid region of a pad) holds, as a bool. */
  | { readonly k: 'cond'; readonly id: number; readonly dtype: DType; readonly cond: Cond };

export interface ReduceSpec {
  readonly acc: number;
  readonly op: ReduceOp;
  readonly dtype: DType;
  /** The value reduced, evaluated at the full (outer + inner) loop index. */
  readonly value: Val;
}

/** Hash-consing table of the values of one kernel. */
export class ValTable {
  private readonly table = new Map<string, Val>();
  private next = 0;
  private nextRef = 0;
  /** The data-atom refs handed out to checked indices (ref -> value). */
  readonly checked = new Map<number, Val>();

  private make<T extends Val>(key: string, build: (id: number) => T): T {
    const hit = this.table.get(key);
    if (hit) return hit as T;
    const v = build(this.next++);
    this.table.set(key, v);
    return v;
  }

  const(dtype: DType, value: Scalar): Val {
    const v = castScalar(value, dtype);
    return this.make(`c|${dtype}|${scalarKey(v)}`, (id) => ({ k: 'const', id, dtype, value: v }));
  }
  load(dtype: DType, param: number, index: Sym, guard: Cond): Val {
    return this.make(`l|${param}|${index.key}|${condKey(guard)}`, (id) => ({ k: 'load', id, dtype, param, index, guard }));
  }
  index(dtype: DType, index: Sym): Val {
    return this.make(`i|${dtype}|${index.key}`, (id) => ({ k: 'index', id, dtype, index }));
  }
  op(op: ValOp, dtype: DType, args: readonly Val[], guard: Cond = null): Val {
    return this.make(`o|${op}|${dtype}|${args.map((a) => a.id).join(',')}|${condKey(guard)}`, (id) => ({ k: 'op', id, dtype, op, args, guard }));
  }
  acc(dtype: DType, acc: number): Val {
    return this.make(`a|${acc}`, (id) => ({ k: 'acc', id, dtype, acc }));
  }
  randkey(s0: Val, s1: Val, salt: number): Val {
    return this.make(`rk|${s0.id}|${s1.id}|${salt}`, (id) => ({ k: 'randkey', id, dtype: 'int32', s0, s1, salt }));
  }
  rand(dtype: DType, key: Val, counter: Sym): Val {
    return this.make(`r|${dtype}|${key.id}|${counter.key}`, (id) => ({ k: 'rand', id, dtype, key, counter }));
  }
  cond(cond: Cond): Val {
    return this.make(`cd|${condKey(cond)}`, (id) => ({ k: 'cond', id, dtype: 'bool', cond }));
  }
  /** `ref` may be given to keep the number of a value being rebuilt (index expressions refer to it). */
  checkidx(x: Val, size: number, guard: Cond, keepRef?: number): Val {
    const key = `ci|${x.id}|${size}|${condKey(guard)}`;
    const hit = this.table.get(key);
    if (hit) return hit;
    const ref = keepRef ?? this.nextRef;
    this.nextRef = Math.max(this.nextRef, ref + 1);
    const v = this.make(key, (id) => ({ k: 'checkidx', id, dtype: 'int32', x, size, guard, ref }) as const);
    this.checked.set(ref, v);
    return v;
  }
}

/** The direct inputs of a value (not counting values referenced from index expressions). */
export function valArgs(v: Val): readonly Val[] {
  switch (v.k) {
    case 'op':
      return v.args;
    case 'randkey':
      return [v.s0, v.s1];
    case 'rand':
      return [v.key];
    case 'checkidx':
      return [v.x];
    default:
      return [];
  }
}

/**
 * The index expressions a value evaluates itself (not its inputs'): a load's index and guard bounds, an
 * iota, a random counter, a pad condition's bounds, the guards of ops and checked indices.
 */
export function ownIndexExprs(v: Val): Sym[] {
  const conds = (c: Cond, out: Sym[] = []): Sym[] => {
    for (const b of c ?? []) out.push(b.x);
    return out;
  };
  switch (v.k) {
    case 'load':
      return conds(v.guard, [v.index]);
    case 'index':
      return [v.index];
    case 'rand':
      return [v.counter];
    case 'cond':
      return conds(v.cond);
    case 'op':
    case 'checkidx':
      return conds(v.guard);
    default:
      return [];
  }
}

/** Every value a value depends on: its inputs and the checked indices its index expressions use. */
export function valDeps(v: Val, table: ValTable): Val[] {
  const out = [...valArgs(v)];
  const refs = new Set<number>();
  for (const s of ownIndexExprs(v)) dataOf(s, refs);
  for (const r of refs) out.push(table.checked.get(r)!);
  return out;
}

/**
 * Visits each value reachable from `roots` once, following `next` (valArgs, or valDeps to also reach the
 * checked indices that index expressions refer to). `visit` returning false ends the walk; so does the
 * result: false when the walk was ended.
 */
export function walkVals(roots: readonly Val[], next: (v: Val) => readonly Val[], visit: (v: Val) => boolean | void): boolean {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v.id)) continue;
    seen.add(v.id);
    if (visit(v) === false) return false;
    stack.push(...next(v));
  }
  return true;
}
