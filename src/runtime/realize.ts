/**
 * Realization: drive the pipeline for a set of pending nodes on one device and record the results, so a
 * realized node is never computed again while it lives.
 */
import { forgetReaders, nextBuildEpoch, walkNodes, type Node } from '../ir/index.js';
import type { Buffer } from './buffer.js';
import type { Device, ExecuteInfo } from './device.js';

/** The buffer holding a node's value when it is known (a buffer node, or a realized one), else null. */
export function knownBuffer(n: Node): Buffer | null {
  return n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer | null);
}

/** Compute every root (on `device`) and return its buffer. Roots already realized cost nothing. */
export function realizeNodes(roots: readonly Node[], device: Device): Buffer[] {
  const pending = [...new Set(roots.filter((r) => !knownBuffer(r)))];
  if (pending.length) {
    const info: ExecuteInfo = {};
    const bufs = device.execute(pending, info);
    // Usually nothing reads memory shared with JS and every root is cached: the inputs the device found
    // (the cpu device's structural key walks the graph anyway) say so without another walk.
    if (info.inputs) forgetReaders(info.inputs);
    const any = info.inputs ? info.inputs.some(isJsShared) : anyReadsJsMemory(pending);
    // One root reads what the whole program reads: no walk (a chain over memory shared with JS).
    const readsJsMemory = !any ? (): boolean => false : pending.length === 1 ? (): boolean => true : rootReadsJsMemory;
    pending.forEach((r, j) => {
      // An assign writes into its target: caching it would make a later read skip newer writes. A value read
      // from memory JS may write to is not cached either: the same node built later must see later writes.
      // A constant is not cached: every later graph using that constant would load it from memory instead of
      // having it as a literal.
      if (r.op !== 'assign' && r.op !== 'const' && !readsJsMemory(r)) r.realized = bufs[j]!;
      else (computed ??= new Map()).set(r, bufs[j]!);
    });
  }
  const out = roots.map((r) => knownBuffer(r) ?? computed!.get(r)!);
  computed = null;
  // Nodes built from now on are not shared with those built before (src/ir/node.ts): long-lived inputs do
  // not keep the graphs and results of earlier realizations alive.
  if (pending.length) nextBuildEpoch();
  return out;
}

/** Results not cached on their nodes, for the call computing them (a Map: no ephemeron table per call). */
let computed: Map<Node, Buffer> | null = null;

const isJsShared = (n: Node): boolean => n.op === 'buffer' && (n.arg as { ref: Buffer }).ref.jsShared;

/** Whether computing any of `roots` reads a buffer shared with JS (realized nodes never do: they are not cached). */
const anyReadsJsMemory = (roots: readonly Node[]): boolean => !walkNodes(roots, (n) => (isJsShared(n) ? false : n.realized !== null ? 'leaf' : undefined));

/** Whether computing `root` reads a buffer shared with JS. */
const rootReadsJsMemory = (root: Node): boolean => anyReadsJsMemory([root]);
