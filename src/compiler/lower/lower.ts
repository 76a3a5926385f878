/**
 * Lowering: the fused region of one scheduled kernel (the nodes from its output down to the buffers it
 * reads) becomes loops and per-element values.
 *
 * A node is evaluated *at an index*: `valueAt(n, idx)` is the value of element `idx` of `n`. Elementwise ops
 * evaluate their inputs at the same index; movement ops map the index to their input's index (this is the
 * whole implementation of views: no data moves); buffers are loads at the linear index; a fused reduction is
 * the accumulator of the row being computed — and only that: reading it at any other index throws
 * `FuseError`, and the scheduler then materializes it.
 *
 * Loop structure: a kernel without reductions loops over its output's shape. A kernel with reductions loops
 * over the reductions' input shape F (all fused reductions share F and their axes R): outer loops over the
 * kept axes (rows), inner loops over R. The output is written per row (its size is the number of rows:
 * `sum(x)`, `relu(x @ w + b)`) or per element of F (`x - x.mean(1, keepdim)`, softmax).
 */
import { DTYPE_INFO, isFloat, isInt, type DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/node.js';
import type { Scalar } from '../../ir/scalar.js';
import { OPS, type ReduceOp } from '../../ir/ops.js';
import { shapeEq, numel } from '../../ir/shape.js';
import { prod, type KOut, type KParam, type Kernel, type KernelErrors, type LoopKernel, type LoopVar, type ScanKernel, type ScatterKernel } from './kernel.js';
import { mergeLoops, splitLoops } from './merge-loops.js';
import { asContraction } from './contraction.js';
import * as S from './sym.js';
import { ownIndexExprs, ValTable, valDeps, walkVals, type ReduceSpec, type Val } from './val.js';

/** A reduction (or other node) that cannot be fused into the kernel being lowered: materialize it. */
export class FuseError extends Error {
  constructor(
    readonly node: Node,
    why: string,
  ) {
    super(`internal: cannot fuse ${node.op} %${node.id}: ${why}`);
  }
}

/**
 * Values of one kernel group (compile.ts) cannot share loops: another output shape, one of them read at
 * another index than the one it is computed at. The group is split again (nothing is materialized).
 */
export class MergeError extends Error {}

export interface LowerRequest {
  readonly name: string;
  /**
   * The values the kernel computes: usually one; several when the scheduler grouped values that share the
   * same loops (Adam's moments and parameter, a loss's row reductions and gradient). Each is written to its
   * slot, or only computed for the others (slot null: read by no other kernel).
   */
  readonly outputs: readonly { readonly node: Node; readonly slot: number | null }[];
  /** The program buffer slot a node is read from, or null when the kernel computes it (fused or an output). */
  readonly read: (n: Node) => number | null;
}

interface Structure {
  readonly F: readonly number[];
  readonly R: readonly number[];
  readonly vars: readonly S.Sym[];
  readonly rowIdx: readonly S.Sym[];
}

interface Reduction {
  readonly spec: ReduceSpec;
  readonly depth: number;
}

class Lowerer {
  readonly vt = new ValTable();
  readonly params: KParam[] = [];
  private readonly paramOfSlot = new Map<number, number>();
  private readonly memo = new Map<string, Val>();
  readonly reductions = new Map<Node, Reduction>();
  private readonly depthMemo = new Map<number, number>();
  structure: Structure | null = null;
  readonly errors: { index: string[]; zerodiv: boolean; negpow: boolean } = { index: [], zerodiv: false, negpow: false };
  /** The index each output (of a group) is computed at: another output must read it there. */
  readonly outputAt = new Map<Node, string>();
  /** Probe mode (probeRowMapping): where reductions are read, instead of checking it. */
  probe: S.Sym[][] | null = null;

  constructor(readonly req: LowerRequest) {}

  param(slot: number, dtype: DType, n: number, write: boolean): number {
    const hit = this.paramOfSlot.get(slot);
    if (hit !== undefined) {
      if (write) throw new Error(`internal: kernel ${this.req.name} reads and writes slot ${slot}`);
      return hit;
    }
    const p = this.params.length;
    this.params.push({ slot, dtype, numel: n, write });
    this.paramOfSlot.set(slot, p);
    return p;
  }

  readSlot(n: Node): number | null {
    return this.req.read(n);
  }

  valueAt(n: Node, idx: readonly S.Sym[], guard: S.Cond): Val {
    const key = `${n.id}|${idx.map((s) => s.key).join(';')}|${S.condKey(guard)}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const v = this.compute(n, idx, guard);
    this.memo.set(key, v);
    return v;
  }

  private compute(n: Node, idx: readonly S.Sym[], guard: S.Cond): Val {
    const vt = this.vt;
    const slot = this.readSlot(n);
    if (slot !== null) {
      return vt.load(n.dtype, this.param(slot, n.dtype, n.numel, false), S.linearize(n.shape, idx), guard);
    }
    const at = this.outputAt.get(n);
    if (at !== undefined && n.op !== 'reduce' && S.linearize(n.shape, idx).key !== at) {
      throw new MergeError(`internal: output %${n.id} of kernel ${this.req.name} is read at another index than computed`);
    }
    const src = n.srcs[0]!;
    switch (n.op) {
      case 'const':
        return vt.const(n.dtype, n.arg as Scalar);
      case 'iota':
        return vt.index(n.dtype, idx[0]!);
      case 'rand': {
        const s0 = this.valueAt(src, [S.cnst(0)], null);
        const s1 = this.valueAt(src, [S.cnst(1)], null);
        const key = vt.randkey(s0, s1, (n.arg as { salt: number }).salt);
        return vt.rand(n.dtype, key, S.linearize(n.shape, idx));
      }
      case 'contiguous':
      case 'detach':
        return this.valueAt(src, idx, guard);
      case 'reshape':
        return this.valueAt(src, S.delinearize(src.shape, S.linearize(n.shape, idx)), guard);
      case 'permute': {
        const perm = (n.arg as { perm: number[] }).perm;
        const si = new Array<S.Sym>(perm.length);
        perm.forEach((p, i) => (si[p] = idx[i]!));
        return this.valueAt(src, si, guard);
      }
      case 'expand':
        return this.valueAt(
          src,
          src.shape.map((d, i) => (d === 1 ? S.ZERO : idx[i]!)),
          guard,
        );
      case 'slice': {
        const { start, step } = n.arg as { start: number[]; step: number[] };
        return this.valueAt(
          src,
          idx.map((x, i) => S.addc(S.mul(x, step[i]!), start[i]!)),
          guard,
        );
      }
      case 'flip': {
        const axes = (n.arg as { axes: number[] }).axes;
        return this.valueAt(
          src,
          idx.map((x, i) => (axes.includes(i) ? S.addc(S.mul(x, -1), n.shape[i]! - 1) : x)),
          guard,
        );
      }
      case 'unfold': {
        // window o along `axis`, element k on the last axis: input position o*step + k
        const { axis, step } = n.arg as { axis: number; size: number; step: number };
        const k = idx[idx.length - 1]!;
        return this.valueAt(
          src,
          src.shape.map((_, i) => (i === axis ? S.add(S.mul(idx[axis]!, step), k) : idx[i]!)),
          guard,
        );
      }
      case 'pad': {
        const { pads, value } = n.arg as { pads: [number, number][]; value: Scalar };
        const si = idx.map((x, i) => S.addc(x, -pads[i]![0]));
        let inner: S.Cond | 'false' = null;
        for (let i = 0; i < si.length && inner !== 'false'; i++) inner = S.andBound(inner, si[i]!, 0, src.shape[i]! - 1);
        const padValue = vt.const(n.dtype, value);
        if (inner === 'false') return padValue;
        if (inner === null) return this.valueAt(src, si, guard);
        const all = S.andCond(guard, inner);
        if (all === 'false') return padValue;
        // Inside the valid region each index is known to be in range: simpler index arithmetic below.
        const sr = si.map((x, i) => S.restrict(x, 0, src.shape[i]! - 1));
        return vt.op('where', n.dtype, [vt.cond(inner), this.valueAt(src, sr, all), padValue]);
      }
      case 'cast':
        return vt.op('cast', n.dtype, [this.valueAt(src, idx, guard)]);
      case 'gather': {
        const axis = (n.arg as { axis: number }).axis;
        const j = this.valueAt(n.srcs[1]!, idx, guard);
        const size = src.shape[axis]!;
        const chk = vt.checkidx(j, size, guard);
        if (!this.errors.index.includes('gather')) this.errors.index.push('gather');
        // Nothing can be read from an empty axis: every index is out of range.
        if (size === 0) return vt.op('where', n.dtype, [vt.op('eq', 'bool', [chk, chk]), vt.const(n.dtype, 0), vt.const(n.dtype, 0)]);
        const si = idx.map((x, i) => (i === axis ? S.symData((chk as { ref: number }).ref, 0, size - 1) : x));
        const v = this.valueAt(src, si, guard);
        // A source whose value does not depend on the index (a constant) would drop the bounds check along
        // with the load: keep the check alive through a select on it.
        if (v.k === 'const') return vt.op('where', n.dtype, [vt.op('eq', 'bool', [chk, chk]), v, v]);
        return v;
      }
      case 'reduce':
        return this.reduceAt(n, idx);
      default:
        break;
    }
    const info = OPS[n.op];
    if (info.cat === 'unary' || info.cat === 'binary' || info.cat === 'compare' || info.cat === 'ternary') {
      const args = n.srcs.map((s) => this.valueAt(s, idx, guard));
      const raises = (n.op === 'idiv' || n.op === 'mod' || n.op === 'pow') && isInt(src.dtype);
      if (raises && n.op === 'pow') this.errors.negpow = true;
      else if (raises) this.errors.zerodiv = true;
      if (n.op === 'div' && isFloat(n.dtype) && this.perRowDivisor(args[0]!, args[1]!)) return this.timesReciprocal(args[0]!, args[1]!, n.dtype);
      return vt.op(n.op, n.dtype, args, raises ? guard : null);
    }
    throw new FuseError(n, `${n.op} must be read from a buffer`);
  }

  private reduceAt(n: Node, idx: readonly S.Sym[]): Val {
    const st = this.structure;
    const { op, axes } = n.arg as { op: ReduceOp; axes: number[] };
    if (this.probe) {
      this.probe.push([...idx]);
      return this.vt.const(n.dtype, 0);
    }
    if (st === null || !shapeEq(n.srcs[0]!.shape, st.F) || !shapeEq(axes, st.R)) throw new FuseError(n, 'its loops differ from the kernel\'s');
    const at = S.linearize(n.shape, idx);
    const row = S.linearize(n.shape, st.rowIdx);
    if (at.key !== row.key) throw new FuseError(n, 'it is read at another row than the one computed');
    let r = this.reductions.get(n);
    if (!r) {
      const value = this.valueAt(n.srcs[0]!, st.vars, null);
      const acc = this.reductions.size;
      r = { spec: { acc, op, dtype: n.dtype, value }, depth: 1 + this.accDepth(value) };
      this.reductions.set(n, r);
    }
    return this.vt.acc(n.dtype, r.spec.acc);
  }

  /**
   * Whether `a / b` divides values computed per element of the reduced loops by a per-row result of a fused
   * reduction (softmax's e / sum, layer norm's (x - mean) / std): then it is `a * (1 / b)`, one division
   * per row instead of one per element (a division costs several multiplications; the result differs from
   * the quotient by at most about one more rounding, as in PyTorch's own softmax).
   */
  private perRowDivisor(a: Val, b: Val): boolean {
    const st = this.structure;
    if (st === null || this.accDepth(b) === 0) return false;
    const inner = new Set<string>();
    for (const i of st.R) S.varsOf(st.vars[i]!, inner);
    const uses = (v: Val): boolean => !walkVals([v], (x) => valDeps(x, this.vt), (x) => ownIndexExprs(x).every((e) => ![...S.varsOf(e)].some((n) => inner.has(n))));
    return uses(a) && !uses(b);
  }

  /**
   * a / b as (a * (1 / (b * s))) * s with s a power of two chosen per row: 1 where 1 / b is a normal number,
   * else bringing b into that range (a denormal b's reciprocal overflows, a huge b's is denormal). The power
   * of two changes no rounding: within about one rounding of the quotient for every b, and 0, inf and NaN
   * divisors give what the quotient gives.
   */
  private timesReciprocal(a: Val, b: Val, dtype: DType): Val {
    const vt = this.vt;
    const [lim, sc] = dtype === 'float32' ? [100, 64] : [1000, 512];
    const c = (x: number): Val => vt.const(dtype, x);
    const mag = vt.op('abs', dtype, [b]);
    const high = vt.op('where', dtype, [vt.op('gt', 'bool', [mag, c(2 ** lim)]), c(2 ** -sc), c(1)]);
    const s = vt.op('where', dtype, [vt.op('lt', 'bool', [mag, c(2 ** -lim)]), c(2 ** sc), high]);
    const r = vt.op('recip', dtype, [vt.op('mul', dtype, [b, s])]);
    return vt.op('mul', dtype, [vt.op('mul', dtype, [a, r]), s]);
  }

  /** The number of reduction phases a value needs before it can be computed. */
  accDepth(v: Val): number {
    const hit = this.depthMemo.get(v.id);
    if (hit !== undefined) return hit;
    let d = 0;
    if (v.k === 'acc') {
      for (const r of this.reductions.values()) if (r.spec.acc === v.acc) d = r.depth;
    } else for (const a of valDeps(v, this.vt)) d = Math.max(d, this.accDepth(a));
    this.depthMemo.set(v.id, d);
    return d;
  }

  phases(): ReduceSpec[][] {
    const out: ReduceSpec[][] = [];
    for (const r of this.reductions.values()) {
      while (out.length < r.depth) out.push([]);
      out[r.depth - 1]!.push(r.spec);
    }
    for (const p of out) p.sort((a, b) => a.acc - b.acc);
    return out;
  }

  kernelErrors(): KernelErrors {
    return { ...this.errors, index: [...this.errors.index] };
  }
}

/** The reductions of the fused region, nearest the output first. */
function regionReductions(value: Node, read: (n: Node) => number | null): Node[] {
  const out: Node[] = [];
  const seen = new Set<Node>([value]);
  const queue = [value];
  while (queue.length) {
    const n = queue.shift()!;
    if (n !== value && read(n) !== null) continue;
    if (read(n) !== null) continue;
    if (n.op === 'reduce') out.push(n);
    for (const s of n.srcs) {
      if (!seen.has(s)) {
        seen.add(s);
        queue.push(s);
      }
    }
  }
  return out;
}

/** One index variable per axis; axes of extent 1 have the constant index 0 and no loop. */
const vars = (prefix: string, shape: readonly number[]): S.Sym[] => shape.map((d, i) => (d === 1 ? S.ZERO : S.symVar(`${prefix}${i}`, d)));
const loopVars = (prefix: string, shape: readonly number[], axes: readonly number[]): LoopVar[] =>
  axes.filter((i) => shape[i] !== 1).map((i) => ({ name: `${prefix}${i}`, extent: shape[i]! }));

/**
 * Where a per-row output reads its reduction: when the output is a permutation of the reduction's rows (a
 * weight gradient [1, in, out] updated into a weight [out, in]), the output's index in terms of the
 * reduction's loop variables; null if it is not (the row-major reading of the rows is then used).
 */
function probeRowMapping(req: LowerRequest, v: Node, anchor: Node, iv: readonly S.Sym[]): S.Sym[] | null {
  const P = new Lowerer(req);
  P.probe = [];
  const pv = v.shape.map((d, j) => (d === 1 ? S.ZERO : S.symVar(`o${j}`, d)));
  try {
    P.valueAt(v, pv, null);
  } catch {
    return null;
  }
  const reads = P.probe.filter((x) => x.length === anchor.shape.length);
  if (reads.length === 0) return null;
  const key = (x: readonly S.Sym[]): string => x.map((e) => e.key).join(';');
  if (reads.some((x) => key(x) !== key(reads[0]!))) return null;
  const at = reads[0]!;
  const out = pv.map(() => S.ZERO);
  const used = new Set<number>();
  for (let a = 0; a < anchor.shape.length; a++) {
    const e = at[a]!;
    if (anchor.shape[a] === 1) {
      if (!S.isConst(e) || e.c !== 0) return null;
      continue;
    }
    if (e.c !== 0 || e.terms.length !== 1) return null;
    const [atom, k] = e.terms[0]!;
    if (k !== 1 || atom.t !== 'var' || (atom.min ?? 0) !== 0 || atom.max !== anchor.shape[a]! - 1) return null;
    const j = Number(atom.name.slice(1));
    if (!atom.name.startsWith('o') || used.has(j) || v.shape[j] !== anchor.shape[a]) return null;
    used.add(j);
    out[j] = iv[a]!;
  }
  if (v.shape.some((d, j) => d !== 1 && !used.has(j))) return null;
  return out;
}

/**
 * Lower one scheduled kernel (one value, or a group of values sharing loops). Throws FuseError naming a node
 * that must be materialized instead, MergeError when a group cannot share loops.
 */
export function lowerKernel(req: LowerRequest): Kernel {
  const outs = req.outputs;
  const L = new Lowerer(req);
  if (outs.length === 1) {
    const v = outs[0]!.node;
    if (v.op === 'cumsum' || v.op === 'argsort') return lowerScan(L, v, outs[0]!.slot!);
    if (v.op === 'scatterAdd') return lowerScatter(L, v, outs[0]!.slot!);
  } else if (outs.some((o) => o.node.op === 'cumsum' || o.node.op === 'argsort' || o.node.op === 'scatterAdd')) throw new MergeError('internal: scans and scatters are kernels of their own');

  const reds: Node[] = [];
  for (const o of outs) for (const r of regionReductions(o.node, req.read)) if (!reds.includes(r)) reds.push(r);
  let kernel: LoopKernel;
  const idxOf: S.Sym[][] = [];
  const full: boolean[] = [];
  if (reds.length === 0) {
    const shape = outs[0]!.node.shape;
    const iv = vars('i', shape);
    for (const o of outs) {
      if (o.node.numel !== numel(shape)) throw new MergeError('internal: elementwise outputs of different sizes');
      idxOf.push(shapeEq(o.node.shape, shape) ? iv : S.delinearize(o.node.shape, S.linearize(shape, iv)));
      full.push(false);
    }
    outs.forEach((o, i) => L.outputAt.set(o.node, S.linearize(o.node.shape, idxOf[i]!).key));
    const values = outs.map((o, i) => L.valueAt(o.node, idxOf[i]!, null));
    kernel = {
      kind: 'loops',
      ...base(L, req),
      outer: loopVars('i', shape, shape.map((_, i) => i)),
      inner: [],
      phases: [],
      outs: storedOuts(L, outs, idxOf, values, full),
    };
  } else {
    const anchor = reds[0]!;
    const F = anchor.srcs[0]!.shape;
    const R = (anchor.arg as { axes: number[] }).axes;
    const iv = vars('i', F);
    const rowIdx = iv.map((x, i) => (R.includes(i) ? S.ZERO : x));
    const rows = anchor.numel;
    const keep = F.map((_, i) => i).filter((i) => !R.includes(i));
    let order: number[] | null = null;
    for (const o of outs) {
      const v = o.node;
      if (v.numel === rows) {
        const mapped = v.op === 'reduce' ? null : probeRowMapping(req, v, anchor, iv);
        const rowMajor = S.delinearize(v.shape, S.linearize(anchor.shape, rowIdx));
        idxOf.push(mapped ?? rowMajor);
        // The row loops follow the axis order of the first output written per row.
        if (mapped && order === null && o.slot !== null) order = mapped.flatMap((e) => (S.isConst(e) ? [] : [keep.find((a) => iv[a]!.key === e.key)!]));
        full.push(false);
      } else if (v.numel === numel(F)) {
        idxOf.push(shapeEq(v.shape, F) ? iv : S.delinearize(v.shape, S.linearize(F, iv)));
        full.push(true);
      } else if (outs.length === 1) throw new FuseError(anchor, 'the output is neither per row nor per element of its loops');
      else throw new MergeError('internal: an output is neither per row nor per element of the group\'s loops');
    }
    L.structure = { F, R, vars: iv, rowIdx };
    outs.forEach((o, i) => L.outputAt.set(o.node, S.linearize(o.node.shape, idxOf[i]!).key));
    const values = outs.map((o, i) => L.valueAt(o.node, idxOf[i]!, null));
    // A value over the whole loops that a reduction of the group reads would be computed twice (in the
    // reduction's pass and in the pass writing it): better a kernel of its own, read by the reduction.
    if (outs.length > 1 && values.some((v, i) => full[i] && v.k !== 'load' && L.phases().some((p) => p.some((r) => dependsOn(r.value, v, L.vt))))) {
      throw new MergeError('internal: a reduction of the group reads a value the group writes over all its loops');
    }
    const rowAxes = order && order.length === keep.filter((a) => F[a] !== 1).length ? order : keep;
    kernel = {
      kind: 'loops',
      ...base(L, req),
      outer: loopVars('i', F, rowAxes),
      inner: loopVars('i', F, R),
      phases: L.phases(),
      outs: storedOuts(L, outs, idxOf, values, full),
    };
  }
  const merged = mergeLoops(splitLoops({ ...kernel, bytes: paramBytes(L) }));
  const gemm = asContraction(merged);
  if (gemm) return gemm;
  return { ...merged, flops: estimateFlops(merged) };
}

/** The written outputs (after every value is built, so their parameters come after the inputs'). */
function storedOuts(L: Lowerer, outs: LowerRequest['outputs'], idxOf: readonly S.Sym[][], values: readonly Val[], full: readonly boolean[]): KOut[] {
  const res: KOut[] = [];
  outs.forEach((o, i) => {
    if (o.slot === null) return;
    const param = L.param(o.slot, o.node.dtype, o.node.numel, true);
    res.push({ param, index: S.linearize(o.node.shape, idxOf[i]!), value: values[i]!, full: full[i]! });
  });
  if (res.length === 0) throw new Error(`internal: kernel ${L.req.name} writes nothing`);
  return res;
}

/** Whether value `v` uses value `w`. */
const dependsOn = (v: Val, w: Val, vt: ValTable): boolean => !walkVals([v], (x) => valDeps(x, vt), (x) => x.id !== w.id);

/** Floating point operations of a loop kernel: float ops of each value times the times it is computed. */
function estimateFlops(k: LoopKernel): number {
  const rows = prod(k.outer);
  const inner = prod(k.inner);
  const count = (v: Val): number => {
    let n = 0;
    // a reduction's result is counted where the reduction is (its phase), not where it is read
    walkVals([v], (x) => (x.k === 'acc' ? [] : valDeps(x, k.vals)), (x) => {
      if (x.k === 'op' && isFloat(x.dtype) && x.op !== 'cast' && x.op !== 'where') n++;
    });
    return n;
  };
  let f = 0;
  for (const p of k.phases) for (const r of p) f += rows * inner * (count(r.value) + (isFloat(r.dtype) ? 1 : 0));
  for (const o of k.outs) f += rows * (o.full ? inner : 1) * count(o.value);
  return f;
}

function base(L: Lowerer, req: LowerRequest): Omit<LoopKernel, 'kind' | 'outer' | 'inner' | 'phases' | 'outs'> {
  const v = (req.outputs.find((o) => o.slot !== null) ?? req.outputs[0]!).node;
  return { name: req.name, params: L.params, vals: L.vt, errors: L.kernelErrors(), shape: v.shape, dtype: v.dtype, flops: 0, bytes: 0 };
}

/** Bytes the kernel reads and writes (once its parameters are all known). */
const paramBytes = (L: Lowerer): number => L.params.reduce((s, p) => s + p.numel * bytesOf(p.dtype), 0);

const bytesOf = (d: DType): number => DTYPE_INFO[d].bytes;

function lowerScan(L: Lowerer, v: Node, slot: number): ScanKernel {
  const axis = (v.arg as { axis: number }).axis;
  const iv = vars('i', v.shape);
  const value = L.valueAt(v.srcs[0]!, iv, null);
  const outParam = L.param(slot, v.dtype, v.numel, true);
  const keep = v.shape.map((_, i) => i).filter((i) => i !== axis);
  return {
    kind: 'scan',
    ...base(L, L.req),
    bytes: paramBytes(L),
    outer: loopVars('i', v.shape, keep),
    axis: { name: `i${axis}`, extent: v.shape[axis]! },
    value,
    out: { param: outParam, index: S.linearize(v.shape, iv) },
    ...(v.op === 'argsort' ? { sort: { descending: (v.arg as { descending: boolean }).descending } } : {}),
  };
}

function lowerScatter(L: Lowerer, v: Node, slot: number): ScatterKernel {
  const axis = (v.arg as { axis: number }).axis;
  const [baseN, index, values] = v.srcs as [Node, Node, Node];
  const cv = vars('c', v.shape);
  const copyValue = L.valueAt(baseN, cv, null);
  const sv = vars('s', index.shape);
  const j = L.valueAt(index, sv, null);
  const size = v.shape[axis]!;
  const check = L.vt.checkidx(j, size, null);
  L.errors.index.push('scatter_add');
  const ti = sv.map((x, i) => (i === axis ? S.symData((check as { ref: number }).ref, 0, size - 1) : x));
  const value = L.valueAt(values, sv, null);
  const outParam = L.param(slot, v.dtype, v.numel, true);
  const keep = index.shape.map((_, i) => i).filter((i) => i !== axis);
  return {
    kind: 'scatter',
    ...base(L, L.req),
    bytes: paramBytes(L),
    copy: { vars: loopVars('c', v.shape, v.shape.map((_, i) => i)), index: S.linearize(v.shape, cv), value: copyValue },
    outer: loopVars('s', index.shape, keep),
    axis: { name: `s${axis}`, extent: index.shape[axis]! },
    target: S.linearize(v.shape, ti),
    check,
    value,
    outParam,
  };
}
