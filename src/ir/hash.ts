import { argKey, type Node } from './node.js';
import { toposort } from './graph.js';

/**
 * The structural key of a graph: the same for two graphs that differ only in which buffers they read
 * (buffers are numbered by first appearance, i.e. they are the parameters). Realized nodes count as buffers.
 * `inputs` lists those buffers in parameter order.
 */
export function structuralKey(roots: readonly Node[]): { key: string; order: Node[]; inputs: Node[] } {
  const order = toposort(roots, true);
  const local = new Map<Node, number>();
  const inputs: Node[] = [];
  const parts: string[] = [];
  for (const n of order) {
    local.set(n, local.size);
    if (n.op === 'buffer' || n.realized) {
      inputs.push(n);
      parts.push(`in${inputs.length - 1}:${n.dtype}[${n.shape.join(',')}]`);
    } else {
      const arg = argKey(n.arg);
      parts.push(`${n.op}:${n.dtype}[${n.shape.join(',')}](${n.srcs.map((s) => local.get(s)).join(',')})${arg}`);
    }
  }
  parts.push(`out(${roots.map((r) => local.get(r)).join(',')})`);
  return { key: parts.join(';'), order, inputs };
}

/** A short stable digest of a string (FNV-1a 64 as hex), for cache file names and display. */
export function digest(s: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x01000193 | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
