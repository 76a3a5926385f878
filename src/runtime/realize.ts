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
    pending.forEach((r, j) => {
      // An assign writes into its target: caching it would make a later read skip newer writes.
      if (r.op !== 'assign') r.realized = bufs[j]!;
      else computed.set(r, bufs[j]!);
    });
  }
  const out = roots.map((r) => knownBuffer(r) ?? computed.get(r)!);
  computed = new WeakMap();
  return out;
}

let computed = new WeakMap<Node, Buffer>();
