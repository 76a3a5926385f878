/**
 * Lowering and rendering once per kernel structure. A kernel is lowered with canonical buffer slots (the
 * region's reads numbered by first use, then its outputs), so the result depends only on the region's key
 * (region.ts); a kernel of the same structure elsewhere in the program, or in another program, is a lookup
 * that binds the canonical slots to its own buffers. Rendering is cached the same way, and the C function is
 * named by a digest of its text: identical kernels share one function, whatever program they come from.
 *
 * What a lowering could not do is cached too: a FuseError names a node of the region by its position, so a
 * repeated structure that must materialize a reduction says so without being lowered again.
 */
import { createHash } from 'node:crypto';
import type { Node } from '../ir/node.js';
import type { Kernel } from './lower/kernel.js';
import { FuseError, lowerKernel, MergeError } from './lower/lower.js';
import { regionOf, type Region, type RegionOutput } from './region.js';
import { declarationOf, renderFor } from './render/index.js';
import type { LaunchShape } from './render/cuda/index.js';
import { cTarget, targetKey, type Target } from './target.js';

/** A kernel lowered for canonical slots, and the program slot each canonical slot stands for. */
export interface BoundKernel {
  /** The lowering, shared by every kernel of the same structure: its params' `slot`s are canonical. */
  readonly kernel: Kernel;
  /** The program slot of each canonical slot: `slots[param.slot]`. */
  readonly slots: readonly number[];
  /** The slots of the buffers its region reads (whether or not the lowering loads them). */
  readonly reads: readonly number[];
  /** The region's structural key. */
  readonly key: string;
  /** The ops the kernel computes (for inspection). */
  readonly ops: readonly string[];
  /** The nodes of its region. */
  readonly size: number;
}

/** A rendered C function: its name is a digest of its text, so equal functions have equal names. */
export interface RenderedFunction {
  readonly name: string;
  /** The function's text (its file: render/c's `renderFile`). */
  readonly text: string;
  /** Whether its file needs the GEMM micro-kernels. */
  readonly gemm: boolean;
  /** Grid and block of its launches (CUDA functions). */
  readonly launch?: LaunchShape;
}

type Outcome =
  | { readonly ok: true; readonly kernel: Kernel; readonly rendered: Map<string, RenderedFunction> }
  | { readonly ok: false; readonly fuse: number | null; readonly message: string };

/** Structures remembered (the oldest dropped beyond this); a structure costs a few kilobytes. */
const CACHE_SIZE = 4096;
const outcomes = new Map<string, Outcome>();

/** Counters for tests and GRAFT_DEBUG: lowerings done, and answered from the cache. */
export const kernelCacheStats = { lowerings: 0, hits: 0, renders: 0 };

/** Forget every cached lowering and rendering (tests). */
export function clearKernelCache(): void {
  outcomes.clear();
}

const FUNCTION_PLACEHOLDER = 'graft_kernel';

/**
 * Lower the kernel computing `outputs` from the nodes `slotOf` gives a slot (outputs are computed even if they
 * have one), or find it lowered. Throws FuseError (naming this program's node) or MergeError as lowering would,
 * and MergeError for a region of more than `maxNodes` nodes.
 */
export function lowerBound(
  outputs: readonly RegionOutput[],
  slotOf: ReadonlyMap<Node, number>,
  outputSlot: (n: Node) => number,
  maxNodes = Infinity,
): BoundKernel {
  const region = regionOf(outputs, (n) => slotOf.has(n));
  if (region.nodes.length > maxNodes) throw new MergeError(`internal: a kernel of ${region.nodes.length} nodes is larger than ${maxNodes}`);
  const outcome = lowerRegion(region, outputs);
  if (!outcome.ok) {
    if (outcome.fuse !== null) throw new FuseError(region.nodes[outcome.fuse]!, outcome.message);
    throw new MergeError(outcome.message);
  }
  const reads = region.reads.map((n) => slotOf.get(n)!);
  const slots = [...reads, ...outputs.map((o) => (o.stored ? outputSlot(o.node) : -1))];
  const ops = region.nodes.filter((n) => n.op !== 'const').map((n) => n.op);
  return { kernel: outcome.kernel, slots, reads, key: region.key, ops, size: region.nodes.length };
}

function lowerRegion(region: Region, outputs: readonly RegionOutput[]): Outcome {
  const hit = outcomes.get(region.key);
  if (hit) {
    kernelCacheStats.hits++;
    return hit;
  }
  kernelCacheStats.lowerings++;
  const canonical = new Map<Node, number>(region.reads.map((n, i) => [n, i]));
  let outcome: Outcome;
  try {
    const kernel = lowerKernel({
      name: FUNCTION_PLACEHOLDER,
      outputs: outputs.map((o, i) => ({ node: o.node, slot: o.stored ? region.reads.length + i : null })),
      read: (n) => canonical.get(n) ?? null,
    });
    outcome = { ok: true, kernel, rendered: new Map() };
  } catch (e) {
    if (e instanceof FuseError) {
      const at = region.nodes.indexOf(e.node);
      if (at < 0) throw e;
      outcome = { ok: false, fuse: at, message: e.message };
    } else if (e instanceof MergeError) outcome = { ok: false, fuse: null, message: e.message };
    else throw e;
  }
  outcomes.set(region.key, outcome);
  if (outcomes.size > CACHE_SIZE) outcomes.delete(outcomes.keys().next().value!);
  return outcome;
}

/**
 * The function of a bound kernel for a target (a number: C for that many OpenMP threads), rendered once per
 * structure and target.
 */
export function renderBound(b: BoundKernel, on: number | Target): RenderedFunction {
  const target = typeof on === 'number' ? cTarget(on) : on;
  const outcome = outcomes.get(b.key);
  // A structure dropped from the cache since it was bound renders from the kernel itself.
  const memo = outcome?.ok && outcome.kernel === b.kernel ? outcome.rendered : new Map<string, RenderedFunction>();
  const key = targetKey(target);
  const known = memo.get(key);
  if (known) return known;
  kernelCacheStats.renders++;
  const r = renderFor(b.kernel, target);
  const name = `k_${createHash('sha256').update(r.text).digest('hex').slice(0, 20)}`;
  const decl = declarationOf(target, FUNCTION_PLACEHOLDER);
  const own = r.text.replace(decl, decl.replace(FUNCTION_PLACEHOLDER, name));
  const fn: RenderedFunction = { name, text: own, gemm: target.kind === 'c' && b.kernel.kind === 'gemm', ...(r.launch ? { launch: r.launch } : {}) };
  memo.set(key, fn);
  return fn;
}
