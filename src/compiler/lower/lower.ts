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
import { isFloat, type DType } from '../../ir/dtype.js';
import type { Node } from '../../ir/node.js';
import { OPS, type ReduceOp } from '../../ir/ops.js';
import { shapeEq, numel } from '../../ir/shape.js';
import type { KParam, Kernel, KernelErrors, LoopKernel, LoopVar, ScanKernel, ScatterKernel } from './kernel.js';
import { mergeLoops } from './merge-loops.js';
import { asContraction } from './contraction.js';
import * as S from './sym.js';
import { ValTable, valDeps, type ReduceSpec, type Val } from './val.js';

/** A reduction (or other node) that cannot be fused into the kernel being lowered: materialize it. */
export class FuseError extends Error {
  constructor(
    readonly node: Node,
    why: string,
  ) {
    super(`internal: cannot fuse ${node.op} %${node.id}: ${why}`);
  }
}

export interface LowerRequest {
  readonly name: string;
  /** The node whose value the kernel computes. */
  readonly value: Node;
  /** The program buffer slot a node is read from, or null when the kernel computes it. */
  readonly read: (n: Node) => number | null;
  /** The slot the output is written to. */
  readonly outSlot: number;
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
    const src = n.srcs[0]!;
    switch (n.op) {
      case 'const':
        return vt.const(n.dtype, n.arg as number);
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
        const { pads, value } = n.arg as { pads: [number, number][]; value: number };
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
      const raises = (n.op === 'idiv' || n.op === 'mod' || n.op === 'pow') && src.dtype === 'int32';
      if (raises && n.op === 'pow') this.errors.negpow = true;
      else if (raises) this.errors.zerodiv = true;
      return vt.op(n.op, n.dtype, args, raises ? guard : null);
    }
    throw new FuseError(n, `${n.op} must be read from a buffer`);
  }

  private reduceAt(n: Node, idx: readonly S.Sym[]): Val {
    const st = this.structure;
    const { op, axes } = n.arg as { op: ReduceOp; axes: number[] };
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

/** Lower one scheduled kernel. Throws FuseError naming a node that must be materialized instead. */
export function lowerKernel(req: LowerRequest): Kernel {
  const v = req.value;
  const L = new Lowerer(req);
  if (req.read(v) === null && v.op === 'cumsum') return lowerScan(L, v);
  if (req.read(v) === null && v.op === 'scatterAdd') return lowerScatter(L, v);

  const reds = regionReductions(v, req.read);
  let kernel: LoopKernel;
  if (reds.length === 0) {
    const iv = vars('i', v.shape);
    const value = L.valueAt(v, iv, null);
    const outParam = L.param(req.outSlot, v.dtype, v.numel, true);
    kernel = {
      kind: 'loops',
      ...base(L, req, v),
      outer: loopVars('i', v.shape, v.shape.map((_, i) => i)),
      inner: [],
      phases: [],
      out: { param: outParam, index: S.linearize(v.shape, iv), value, full: false },
    };
  } else {
    const anchor = reds[0]!;
    const F = anchor.srcs[0]!.shape;
    const R = (anchor.arg as { axes: number[] }).axes;
    const iv = vars('i', F);
    const rowIdx = iv.map((x, i) => (R.includes(i) ? S.ZERO : x));
    L.structure = { F, R, vars: iv, rowIdx };
    const rows = anchor.numel;
    let outIdx: S.Sym[];
    let full: boolean;
    if (v.numel === rows) {
      outIdx = S.delinearize(v.shape, S.linearize(anchor.shape, rowIdx));
      full = false;
    } else if (v.numel === numel(F)) {
      outIdx = shapeEq(v.shape, F) ? iv : S.delinearize(v.shape, S.linearize(F, iv));
      full = true;
    } else throw new FuseError(anchor, 'the output is neither per row nor per element of its loops');
    const value = L.valueAt(v, outIdx, null);
    const outParam = L.param(req.outSlot, v.dtype, v.numel, true);
    const keep = F.map((_, i) => i).filter((i) => !R.includes(i));
    kernel = {
      kind: 'loops',
      ...base(L, req, v),
      outer: loopVars('i', F, keep),
      inner: loopVars('i', F, R),
      phases: L.phases(),
      out: { param: outParam, index: S.linearize(v.shape, outIdx), value, full },
    };
  }
  const merged = mergeLoops(kernel);
  const gemm = asContraction(merged);
  if (gemm) return gemm;
  return { ...merged, flops: estimateFlops(merged) };
}

/** Floating point operations of a loop kernel: float ops of each value times the times it is computed. */
function estimateFlops(k: LoopKernel): number {
  const rows = k.outer.reduce((a, l) => a * l.extent, 1);
  const inner = k.inner.reduce((a, l) => a * l.extent, 1);
  const count = (v: Val): number => {
    const seen = new Set<number>();
    const stack = [v];
    let n = 0;
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x.id) || x.k === 'acc') continue;
      seen.add(x.id);
      if (x.k === 'op' && isFloat(x.dtype) && x.op !== 'cast' && x.op !== 'where') n++;
      stack.push(...valDeps(x, k.vals));
    }
    return n;
  };
  let f = 0;
  for (const p of k.phases) for (const r of p) f += rows * inner * (count(r.value) + (isFloat(r.dtype) ? 1 : 0));
  f += rows * (k.out.full ? inner : 1) * count(k.out.value);
  return f;
}

function base(L: Lowerer, req: LowerRequest, v: Node): Omit<LoopKernel, 'kind' | 'outer' | 'inner' | 'phases' | 'out'> {
  const bytes = L.params.reduce((s, p) => s + p.numel * bytesOf(p.dtype), 0);
  return { name: req.name, params: L.params, vals: L.vt, errors: L.kernelErrors(), shape: v.shape, dtype: v.dtype, flops: 0, bytes };
}

const bytesOf = (d: DType): number => (d === 'float64' ? 8 : d === 'bool' ? 1 : 4);

function lowerScan(L: Lowerer, v: Node): ScanKernel {
  const axis = (v.arg as { axis: number }).axis;
  const iv = vars('i', v.shape);
  const value = L.valueAt(v.srcs[0]!, iv, null);
  const outParam = L.param(L.req.outSlot, v.dtype, v.numel, true);
  const keep = v.shape.map((_, i) => i).filter((i) => i !== axis);
  return {
    kind: 'scan',
    ...base(L, L.req, v),
    outer: loopVars('i', v.shape, keep),
    axis: { name: `i${axis}`, extent: v.shape[axis]! },
    value,
    out: { param: outParam, index: S.linearize(v.shape, iv) },
  };
}

function lowerScatter(L: Lowerer, v: Node): ScatterKernel {
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
  const outParam = L.param(L.req.outSlot, v.dtype, v.numel, true);
  const keep = index.shape.map((_, i) => i).filter((i) => i !== axis);
  return {
    kind: 'scatter',
    ...base(L, L.req, v),
    copy: { vars: loopVars('c', v.shape, v.shape.map((_, i) => i)), index: S.linearize(v.shape, cv), value: copyValue },
    outer: loopVars('s', index.shape, keep),
    axis: { name: `s${axis}`, extent: index.shape[axis]! },
    target: S.linearize(v.shape, ti),
    check,
    value,
    outParam,
  };
}
