/**
 * Which buffers an elementwise kernel may overwrite while reading them: pairs (written parameter w, read
 * parameter r) such that running the kernel with w and r bound to the same memory computes what it computes
 * with them apart. The runtime uses them to write an updated tensor into its old buffer (a compiled step's
 * parameters and optimizer state: src/runtime/program.ts `canWriteInto`).
 *
 * A pair holds when each element of w is computed on its own, by one thread — an elementwise kernel, a
 * per-row output of a reduction kernel (a small weight gradient with its update), or the epilogue of a GEMM
 * (the update fused after a large one) — w is written by one output, every load of r is at that output's index (each element
 * of r is read only where the same element of w is written), and every load of r lies in that output's value
 * (render/c emits a value's loads before its store, and outputs stored later reuse them: no load of r comes
 * after w's store).
 */
import type { GemmKernel, Kernel, LoopKernel } from './kernel.js';
import type { Sym } from './sym.js';
import type { Val } from './val.js';

const cache = new WeakMap<Kernel, readonly (readonly [number, number])[]>();

/** The (written, read) parameter pairs of `k` that may share memory; cached per lowered kernel. */
export function inPlacePairs(k: Kernel): readonly (readonly [number, number])[] {
  let pairs = cache.get(k);
  if (pairs === undefined) {
    if (k.kind === 'loops') {
      // With reductions, only per-row outputs (stored once per row, after the row's passes) are candidates; the
      // passes and per-element outputs (whose pass may stash values in their own buffer) only read.
      const reduces = k.inner.length > 0 || k.phases.length > 0;
      const rowOuts = reduces ? k.outs.filter((o) => !o.full) : k.outs;
      const others = reduces ? [...k.phases.flat().map((p) => p.value), ...k.outs.filter((o) => o.full).map((o) => o.value)] : [];
      pairs = pairsOf(k, rowOuts, others);
    }
    else if (k.kind === 'gemm') pairs = pairsOf(k, k.outs, [k.a, k.b]);
    else pairs = [];
    cache.set(k, pairs);
  }
  return pairs;
}

/** The values `v` depends on, itself included. */
function subtree(v: Val, into: Set<Val>): Set<Val> {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop()!;
    if (into.has(x)) continue;
    into.add(x);
    switch (x.k) {
      case 'op':
        stack.push(...x.args);
        break;
      case 'randkey':
        stack.push(x.s0, x.s1);
        break;
      case 'rand':
        stack.push(x.key);
        break;
      case 'checkidx':
        stack.push(x.x);
        break;
      default:
        break;
    }
  }
  return into;
}

/**
 * The pairs of a kernel whose outputs are written once per element of their loops: an elementwise loop kernel,
 * or a GEMM's epilogue (its operands `others` are read across the sum: a parameter loaded there never pairs).
 */
function pairsOf(k: LoopKernel | GemmKernel, outs: readonly { param: number; index: Sym; value: Val }[], others: readonly Val[]): (readonly [number, number])[] {
  const all = new Set<Val>();
  for (const o of outs) subtree(o.value, all);
  for (const v of others) subtree(v, all);
  // Checked indices are referenced from index expressions, not value trees: their loads count too.
  for (const c of k.vals.checked.values()) subtree(c, all);
  const loadsOf = new Map<number, Val[]>();
  for (const v of all) if (v.k === 'load') loadsOf.set(v.param, [...(loadsOf.get(v.param) ?? []), v]);
  const pairs: (readonly [number, number])[] = [];
  outs.forEach((o) => {
    if (outs.filter((x) => x.param === o.param).length !== 1) return;
    const own = subtree(o.value, new Set());
    k.params.forEach((p, r) => {
      if (p.write || r === o.param) return;
      const loads = loadsOf.get(r) ?? [];
      if (loads.every((l) => l.k === 'load' && l.index.key === o.index.key && own.has(l))) pairs.push([o.param, r]);
    });
  });
  return pairs;
}
