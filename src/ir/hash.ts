import { HASH_START, internArg, mixNumber } from './arg.js';
import { isFloat } from './dtype.js';
import { type Node } from './node.js';

let epoch = 0;


const INPUT = -1;
const ROOTS = -2;
const LIFTED = -3;

/**
 * Whether a constant's value is data rather than structure (src/compiler/lift-constants.ts): a float that is
 * not 0, ±1, ±2, ±0.5, an infinity or NaN. Its value is left out of the structural key.
 */
export function isLiftedConstant(n: Node): boolean {
  // Any float dtype: a float16/bfloat16 value is exact in the float64 buffer and its cast back.
  if (n.op !== 'const' || !isFloat(n.dtype)) return false;
  return isLiftedConstantValue(n.arg as number);
}

/** Whether a float constant of this value is lifted (data, not structure). */
export function isLiftedConstantValue(v: number): boolean {
  return Number.isFinite(v) && v !== 0 && v !== 1 && v !== -1 && v !== 2 && v !== -2 && v !== 0.5 && v !== -0.5;
}

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
 *
 * `code` is an exact encoding of the structure as numbers — per node its op, dtype, shape, argument and the
 * numbers of its inputs — and `hash` a hash of it: a program cache keyed by the hash and checked against
 * the code costs a walk and a comparison of numbers, no strings (a text key of a 400-node graph cost ~90 us to
 * build and look up). `key` is the same code as text, made when asked for (disk caches, logs).
 * `inputs` lists the input buffers in parameter order; `order` is every node reached, inputs before users.
 */
export interface GraphKey {
  readonly code: readonly number[];
  /** The constants whose values are inputs of the program, not code (see isLiftedConstant), in key order. */
  readonly consts: readonly Node[];
  readonly hash: number;
  readonly order: Node[];
  readonly inputs: Node[];
  readonly key: string;
}


function argCode(n: Node): number {
  const arg = n.arg;
  if (arg === null) return 0;
  if (typeof arg === 'number') return arg;
  return internArg(arg);
}

export function structuralKey(roots: readonly Node[]): GraphKey {
  const mark = ++epoch;
  const order: Node[] = [];
  const inputs: Node[] = [];
  const code: number[] = [];
  const consts: Node[] = [];
  // An explicit stack of (node, next input to visit): iterative, so any depth walks.
  const stack: Node[] = [];
  const next: number[] = [];
  for (let r = 0; r < roots.length; r++) {
    const root = roots[r]!;
    if (root._mark === mark) continue;
    root._mark = mark;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const n = stack[top]!;
      const isInput = n.op === 'buffer' || n.realized !== null;
      const srcs = n.srcs;
      const i = next[top]!;
      if (!isInput && i < srcs.length) {
        next[top] = i + 1;
        const s = srcs[i]!;
        if (s._mark !== mark) {
          s._mark = mark;
          stack.push(s);
          next.push(0);
        }
        continue;
      }
      stack.pop();
      next.pop();
      n._local = order.length;
      order.push(n);
      const shape = n.shape;
      if (isInput) {
        inputs.push(n);
        code.push(INPUT, n._kind, shape.length);
        for (let k = 0; k < shape.length; k++) code.push(shape[k]!);
        continue;
      }
      code.push(n._kind, shape.length);
      for (let k = 0; k < shape.length; k++) code.push(shape[k]!);
      if (n.op === 'const' && isLiftedConstant(n)) {
        consts.push(n);
        code.push(LIFTED, 0);
        continue;
      }
      const arg = n.arg;
      // An object argument's number is kept on the node: its text is made once per node.
      code.push(arg === null ? 0 : typeof arg === 'number' ? arg : (n._argCode ??= argCode(n)), srcs.length);
      for (let k = 0; k < srcs.length; k++) code.push(srcs[k]!._local);
    }
  }
  code.push(ROOTS, roots.length);
  for (const r of roots) code.push(r._local);
  return new Key(code, hashCode(code), order, inputs, consts, roots);
}

class Key implements GraphKey {
  private text: string | null = null;
  constructor(
    readonly code: readonly number[],
    readonly hash: number,
    readonly order: Node[],
    readonly inputs: Node[],
    readonly consts: readonly Node[],
    private readonly roots: readonly Node[],
  ) {}
  get key(): string {
    return (this.text ??= textKey(this.order, this.roots));
  }
}

/** The text form of a structural key: each node's signature and input numbers (stable across processes). */
function textKey(order: readonly Node[], roots: readonly Node[]): string {
  // Numbers from the order (the nodes' scratch numbers may belong to a later walk by now).
  const local = new Map(order.map((n, i) => [n, i]));
  const parts: string[] = [];
  for (const n of order) {
    if (n.op === 'buffer' || n.realized) parts.push(`in:${n.dtype}[${n.shape.join(',')}];`);
    else if (isLiftedConstant(n)) parts.push(`const:${n.dtype}[${n.shape.join(',')}];`);
    else parts.push(`${n.key}(${n.srcs.map((s) => local.get(s)).join(',')});`);
  }
  return `${parts.join('')}out(${roots.map((r) => local.get(r)).join(',')})`;
}

/** A 32-bit hash of a code (FNV-1a over integers; other numbers by their bits). */
export function hashCode(code: readonly number[]): number {
  let h = HASH_START;
  for (let i = 0; i < code.length; i++) h = mixNumber(h, code[i]!);
  return h >>> 0;
}

/** Whether two codes are the same (numbers compared with Object.is: NaN equals NaN, -0 is not 0). */
export function sameCode(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && !Object.is(x, y)) return false;
    if (x === 0 && !Object.is(x, y)) return false;
  }
  return true;
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
