/**
 * Realization: drive the pipeline for a set of pending nodes on one device and record the results, so a
 * realized node is never computed again while it lives.
 */
import type { Node } from '../ir/index.js';
import type { Buffer } from './buffer.js';
import type { Device } from './device.js';

function knownBuffer(n: Node): Buffer | null {
  return n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer | null);
}

/** Compute every root (on `device`) and return its buffer. Roots already realized cost nothing. */
export function realizeNodes(roots: readonly Node[], device: Device): Buffer[] {
  const pending = [...new Set(roots.filter((r) => !knownBuffer(r)))];
  if (pending.length) {
    const bufs = device.execute(pending);
    // One walk over the whole graph: usually nothing reads memory shared with JS and every root is cached.
    const readsJsMemory = anyReadsJsMemory(pending) ? rootReadsJsMemory : (): boolean => false;
    pending.forEach((r, j) => {
      // An assign writes into its target: caching it would make a later read skip newer writes. A value read
      // from memory JS may write to is not cached either: the same node built later must see later writes.
      // A constant is not cached: every later graph using that constant would load it from memory instead of
      // having it as a literal.
      if (r.op !== 'assign' && r.op !== 'const' && !readsJsMemory(r)) r.realized = bufs[j]!;
      else computed.set(r, bufs[j]!);
    });
  }
  const out = roots.map((r) => knownBuffer(r) ?? computed.get(r)!);
  computed = new WeakMap();
  return out;
}

let computed = new WeakMap<Node, Buffer>();

/** Whether computing any of `roots` reads a buffer shared with JS (realized nodes never do: they are not cached). */
function anyReadsJsMemory(roots: readonly Node[]): boolean {
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.op === 'buffer') {
      if ((n.arg as { ref: Buffer }).ref.jsShared) return true;
    } else if (n.realized === null) stack.push(...n.srcs);
  }
  return false;
}

/** Whether computing `root` reads a buffer shared with JS. */
const rootReadsJsMemory = (root: Node): boolean => anyReadsJsMemory([root]);
