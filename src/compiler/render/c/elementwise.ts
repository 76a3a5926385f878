/**
 * C for elementwise kernels (loop kernels without reductions). After loop merging a contiguous kernel is
 * one unit-stride loop: `parallel for simd` when big enough. A kernel reading some input transposed (a load
 * unit-stride along an outer loop but strided along the innermost, e.g. `x.t().contiguous()`) is tiled in
 * TILE x TILE blocks of those two loops, so both the strided reads and the writes stay in cache.
 */
import type { LoopKernel, LoopVar } from '../../lower/kernel.js';
import { loadIndices, strided, unitStride } from './access.js';
import type { Emitter, Scope } from './emit.js';
import { minEnd, nest, omp, PARALLEL_MIN, prod, rowGroups, type Group, type RenderOptions } from './nest.js';

const TILE = 32;

export function renderElementwise(k: LoopKernel, o: RenderOptions, top: Scope, em: Emitter, store: (s: Scope) => void, errClause: readonly string[]): void {
  const loops = k.outer;
  const par = o.threads > 1 && prod(loops) >= PARALLEL_MIN;
  const tiled = tiling(k);
  if (!tiled) {
    nest(top, rowGroups(loops, par, o, errClause, true), store);
    return;
  }
  const { a, b } = tiled;
  const others = loops.filter((l) => l !== a && l !== b);
  const parOthers = par && prod(others) >= 4 * o.threads;
  const groups: Group[] = [];
  if (others.length) groups.push({ loops: others, pragma: parOthers ? omp(o, 'parallel for', [...(others.length > 1 ? [`collapse(${others.length})`] : []), ...errClause]) : undefined });
  groups.push(
    { loops: [], block: { name: `${a.name}_b`, step: TILE }, to: String(a.extent), pragma: par && !parOthers ? omp(o, 'parallel for', errClause) : undefined },
    { loops: [], block: { name: `${b.name}_b`, step: TILE }, to: String(b.extent) },
    { loops: [a], from: `${a.name}_b`, to: minEnd(`${a.name}_b`, TILE, String(a.extent)) },
    { loops: [b], from: `${b.name}_b`, to: minEnd(`${b.name}_b`, TILE, String(b.extent)) },
  );
  nest(top, groups, store);
}

/** The two loops to tile together (a: unit stride for some load, b: the innermost), or null. */
function tiling(k: LoopKernel): { a: LoopVar; b: LoopVar } | null {
  const loops = k.outer;
  if (loops.length < 2) return null;
  const b = loops[loops.length - 1]!;
  if (b.extent < 2 * TILE) return null;
  const loads = loadIndices(k.outs.map((x) => x.value), k.vals);
  if (!strided(loads, b.name)) return null;
  const a = loops.slice(0, -1).find((l) => l.extent >= 2 * TILE && unitStride(loads, l.name));
  return a ? { a, b } : null;
}
