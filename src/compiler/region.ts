/**
 * The fused region of one kernel and its structural key. A kernel computes its outputs from the buffers it
 * reads; everything in between is its region. Two kernels whose regions have the same key lower and render to
 * the same code (only the buffers bound to its parameters differ): an unrolled RNN or a stack of identical
 * layers repeats a handful of keys many times, and each key is lowered, rendered and compiled once.
 *
 * The key lists the region's nodes inputs-first by their own signature (op, dtype, shape, argument) and their
 * inputs by local number; the buffers read are numbered by first use, with their dtype and shape (never their
 * identity), and the outputs come last with whether each is stored.
 */
import type { Node } from '../ir/node.js';
import { nextWalkMark } from '../ir/hash.js';

export interface RegionOutput {
  readonly node: Node;
  /** Whether the kernel writes the value to a buffer (a grouped value read only inside its group is not). */
  readonly stored: boolean;
}

export interface Region {
  readonly key: string;
  /** The nodes read from buffers, in the order the key numbers them. */
  readonly reads: readonly Node[];
  /** The nodes the kernel computes (outputs included), inputs before users. */
  readonly nodes: readonly Node[];
}

/**
 * Node signatures (op, dtype, shape, argument) as small numbers, so region keys are short: a key is built
 * for every kernel of every program, and looked up in the kernel cache. Numbered in order of first sight;
 * the numbers mean nothing across processes (keys never leave the process).
 */
const signatures = new Map<string, number>();
/** Which numbering keys use: a key of another generation never equals one of this. */
let generation = 0;
function signatureId(sig: string): number {
  let id = signatures.get(sig);
  if (id === undefined) {
    // A long-running process sees new shapes and constants forever: start over now and then (keys of the
    // new numbering carry its generation, so the kernel cache misses once per structure, never confuses two).
    if (signatures.size >= 1 << 20) (signatures.clear(), generation++);
    id = signatures.size;
    signatures.set(sig, id);
  }
  return id;
}

/**
 * The region computing `outputs`, stopping at the nodes `isRead` names (read from a buffer). An output is
 * computed even when `isRead` names it. An iterative walk: its cost follows the region, not the stack.
 */
export function regionOf(outputs: readonly RegionOutput[], isRead: (n: Node) => boolean): Region {
  const gen = generation;
  // Nodes are numbered through their scratch fields: _mark says "seen by this walk", _local holds the node's
  // number (>= 0: computed, its position in `nodes`; < 0: read, -1 - its position in `reads`).
  const mark = nextWalkMark();
  const outMark = nextWalkMark();
  for (const o of outputs) o.node._mark = outMark;
  const reads: Node[] = [];
  const nodes: Node[] = [];
  let key = `g${gen};`;
  const readsFrom = (n: Node): boolean => n._mark !== outMark && isRead(n);
  const stack: Node[] = [];
  const next: number[] = [];
  const visit = (n: Node): void => {
    if (readsFrom(n)) {
      n._local = -1 - reads.length;
      key += `r${n.dtype}[${n.shape.join(',')}];`;
      reads.push(n);
      n._mark = mark;
      return;
    }
    stack.push(n);
    next.push(0);
  };
  const outLocal: number[] = [];
  for (const o of outputs) {
    if (o.node._mark !== mark) visit(o.node);
    while (stack.length) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const i = next[top]!;
      if (i < n.srcs.length) {
        next[top] = i + 1;
        const s = n.srcs[i]!;
        // A node on the stack is never reached again from above it: the graph is acyclic.
        if (s._mark !== mark) visit(s);
        continue;
      }
      stack.pop();
      next.pop();
      n._mark = mark;
      n._local = nodes.length;
      key += `${signatureId(n.key)}(`;
      for (let j = 0; j < n.srcs.length; j++) key += (j ? ',' : '') + n.srcs[j]!._local;
      key += ');';
      nodes.push(n);
    }
    outLocal.push(o.node._local);
  }
  key += 'out:' + outputs.map((o, i) => `${outLocal[i]}${o.stored ? 's' : ''}`).join(',');
  // A numbering started over while this key was built: build it again, all in the new numbering.
  if (generation !== gen) return regionOf(outputs, isRead);
  return { key, reads, nodes };
}
