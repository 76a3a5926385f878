import type { Node } from './node.js';

let epoch = 0;

/**
 * A fresh mark for a walk that numbers nodes through their scratch fields (`_mark`, `_local`): walks that
 * share the fields share this counter, so a mark of one is never taken for a mark of another.
 */
export function nextWalkMark(): number {
  return ++epoch;
}

/**
 * The structural key of a graph: the same for two graphs that differ only in which buffers they read
 * (buffers are numbered by first appearance, i.e. they are the parameters). Realized nodes count as buffers.
 * `inputs` lists those buffers in parameter order; `order` is every node reached, inputs before users.
 *
 * This runs on every realization (a training step's cache hit costs this walk), so it allocates little: one
 * iterative walk that numbers nodes through scratch fields of the nodes (`_mark` for this walk's epoch,
 * `_local` for the number) and appends each node's precomputed signature.
 */
export function structuralKey(roots: readonly Node[]): { key: string; order: Node[]; inputs: Node[] } {
  const mark = ++epoch;
  const order: Node[] = [];
  const inputs: Node[] = [];
  let key = '';
  const stack: Node[] = [];
  const next: number[] = [];
  const visit = (n: Node): void => {
    n._mark = mark;
    stack.push(n);
    next.push(0);
  };
  const emit = (n: Node): void => {
    n._local = order.length;
    order.push(n);
    if (n.op === 'buffer' || n.realized) {
      inputs.push(n);
      key += `in:${n.dtype}[${n.shape.join(',')}];`;
    } else {
      key += n.key;
      for (let i = 0; i < n.srcs.length; i++) key += (i ? ',' : '(') + n.srcs[i]!._local;
      key += ');';
    }
  };
  for (const r of roots) {
    if (r._mark === mark) continue;
    visit(r);
    while (stack.length) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const srcs = n.realized ? [] : n.srcs;
      const i = next[top]!;
      if (i < srcs.length) {
        next[top] = i + 1;
        const s = srcs[i]!;
        if (s._mark !== mark) visit(s);
      } else {
        stack.pop();
        next.pop();
        emit(n);
      }
    }
  }
  key += 'out(';
  for (const r of roots) key += `${r._local},`;
  return { key: key + ')', order, inputs };
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
