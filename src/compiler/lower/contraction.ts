/**
 * Contractions: a single sum-reduction of a product `A * B` where A does not depend on some output loops
 * (n) and B does not depend on others (m) is a (batched) matrix multiplication: matmul, bmm, and
 * convolutions written as window views. They are rendered as packed, register-tiled GEMM instead of one
 * dot product per output element.
 */
import { isFloat } from '../../ir/dtype.js';
import { prod, type GemmKernel, type LoopKernel, type LoopVar } from './kernel.js';
import * as S from './sym.js';
import { ownIndexExprs, valDeps, walkVals, type Val, type ValTable } from './val.js';

/** Below this many multiply-adds the plain loops are as good. */
const MIN_WORK = 1 << 15;
const MIN_DIM = 4;

/** Loop variables a value depends on, and whether it reads data-dependent indices. */
export function valVars(v: Val, vt: ValTable): { vars: Set<string>; data: boolean } {
  const vars = new Set<string>();
  let data = false;
  walkVals(
    [v],
    (x) => valDeps(x, vt),
    (x) => {
      // a checked index reads data; a reduction's result is not a contraction operand
      if (x.k === 'checkidx' || x.k === 'acc') data = true;
      for (const s of ownIndexExprs(x)) S.varsOf(s, vars);
    },
  );
  return { vars, data };
}

export function asContraction(k: LoopKernel): GemmKernel | null {
  if (k.phases.length !== 1 || k.phases[0]!.length !== 1 || k.outs.some((o) => o.full)) return null;
  const spec = k.phases[0]![0]!;
  if (spec.op !== 'sum' || !isFloat(spec.dtype)) return null;
  const v = spec.value;
  if (v.k !== 'op' || v.op !== 'mul') return null;
  const [a, b] = v.args as [Val, Val];
  const va = valVars(a, k.vals);
  const vb = valVars(b, k.vals);
  if (va.data || vb.data) return null;
  if (k.inner.some((x) => !va.vars.has(x.name) || !vb.vars.has(x.name))) return null;
  let m = k.outer.filter((x) => va.vars.has(x.name) && !vb.vars.has(x.name));
  let n = k.outer.filter((x) => vb.vars.has(x.name) && !va.vars.has(x.name));
  const batch = k.outer.filter((x) => !m.includes(x) && !n.includes(x));
  if (m.length === 0 || n.length === 0) return null;
  // The output's fastest-moving loop should be a column (n) loop: swap the roles of A and B if needed.
  let [ea, eb] = [a, b];
  const last = k.outer[k.outer.length - 1]!;
  if (m.includes(last)) {
    [m, n] = [n, m];
    [ea, eb] = [b, a];
  }
  let batchL = batch;
  // A plain sum whose output is [..., m, n] row-major once some leading loops count as batch (a convolution's
  // images: out[b, o, p] with the weight as A) is accumulated straight into the output, per batch element.
  const only = k.outs.length === 1 ? k.outs[0]! : null;
  const directWith = (bt: readonly LoopVar[], mm: readonly LoopVar[], nn: readonly LoopVar[]): boolean =>
    only !== null && only.value.k === 'acc' && only.index.key === S.add(S.mul(linear(bt), prod(mm) * prod(nn)), S.mul(linear(mm), prod(nn)), linear(nn)).key;
  if (!directWith(batchL, m, n) && only !== null && only.value.k === 'acc') {
    for (let lead = 1; lead < k.outer.length; lead++) {
      const pre = k.outer.slice(0, lead);
      const mm = m.filter((x) => !pre.includes(x));
      const nn = n.filter((x) => !pre.includes(x));
      if (mm.length === 0 || nn.length === 0 || pre.some((x) => !batch.includes(x) && !m.includes(x) && !n.includes(x))) continue;
      if (prod(mm) * prod(nn) * prod(k.inner) < MIN_WORK) break;
      const bt = k.outer.filter((x) => pre.includes(x) || batch.includes(x));
      if (directWith(bt, mm, nn)) {
        batchL = bt;
        m = mm;
        n = nn;
        break;
      }
    }
  }
  const M = prod(m);
  const N = prod(n);
  const K = prod(k.inner);
  if (M < MIN_DIM || N < MIN_DIM || K < 8 || M * N * K < MIN_WORK) return null;
  const expected = S.add(S.mul(linear(batchL), M * N), S.mul(linear(m), N), linear(n));
  return {
    kind: 'gemm',
    name: k.name,
    params: k.params,
    vals: k.vals,
    errors: k.errors,
    shape: k.shape,
    dtype: k.dtype,
    flops: 2 * prod(batchL) * M * N * K,
    bytes: k.bytes,
    batch: batchL,
    m,
    n,
    k: k.inner,
    a: ea,
    b: eb,
    acc: spec.acc,
    outs: k.outs.map((o) => ({ param: o.param, index: o.index, value: o.value })),
    accType: spec.dtype,
    direct: only !== null && only.value.k === 'acc' && only.index.key === expected.key,
  };
}

/** Row-major flat index of a group of loop variables. */
export function linear(vars: readonly LoopVar[]): S.Sym {
  const parts: S.Sym[] = [];
  let stride = 1;
  for (let i = vars.length - 1; i >= 0; i--) {
    parts.push(S.mul(S.symVar(vars[i]!.name, vars[i]!.extent), stride));
    stride *= vars[i]!.extent;
  }
  return S.add(...parts);
}
