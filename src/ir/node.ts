import type { DType } from './dtype.js';
import { OPS, type Op } from './ops.js';
import type { Shape } from './shape.js';

/**
 * What a `buffer` node points at: memory owned by a device. The IR knows only its identity, dtype and size;
 * the runtime's Buffer class implements it.
 */
export interface BufferRef {
  readonly id: number;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  readonly device: string;
}

export type Arg =
  | null
  | number
  | { readonly ref: BufferRef }
  | { readonly salt: number }
  | { readonly op: string; readonly axes: readonly number[] }
  | { readonly axis: number }
  | { readonly axis: number; readonly size: number; readonly step: number }
  | { readonly perm: readonly number[] }
  | { readonly pads: readonly (readonly [number, number])[]; readonly value: number }
  | { readonly start: readonly number[]; readonly step: readonly number[] }
  | { readonly axes: readonly number[] };

let nextId = 1;

/**
 * An IR node. Immutable and hash-consed: building a node equal to a live one (same op, dtype, shape, arg and
 * the very same inputs) returns the live one, so equal subgraphs are one object (CSE for free) and
 * `node.key` is a structural key.
 */
export class Node {
  readonly id: number;
  /**
   * Cache of this node's realized value (set by the runtime after computing it). Nodes are values, so a
   * realized node never needs computing again while it lives.
   */
  realized: BufferRef | null = null;

  constructor(
    readonly op: Op,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly srcs: readonly Node[],
    readonly arg: Arg,
    readonly key: string,
  ) {
    this.id = nextId++;
    Object.freeze(shape);
    Object.freeze(srcs);
  }

  get numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  toString(): string {
    return `%${this.id} = ${this.op}${this.srcs.length ? ' ' + this.srcs.map((s) => '%' + s.id).join(' ') : ''} : ${this.dtype}[${this.shape.join(',')}]`;
  }
}

/** A stable text form of an op's argument for the hash-consing key. Numbers keep NaN, ±Infinity and -0. */
export function argKey(arg: Arg): string {
  if (arg === null) return '';
  if (typeof arg === 'number') return numKey(arg);
  if ('ref' in arg) return `b${arg.ref.id}`;
  return JSON.stringify(arg, (_k, v) => (typeof v === 'number' ? numKey(v) : v));
}

function numKey(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

const table = new Map<string, WeakRef<Node>>();
const registry = new FinalizationRegistry<string>((key) => {
  const ref = table.get(key);
  if (ref !== undefined && ref.deref() === undefined) table.delete(key);
});

/** Build (or find) a node. Internal: use the builders in build.ts, which check their inputs. */
export function makeNode(op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg): Node {
  const key = `${op}|${dtype}|${shape.join(',')}|${srcs.map((s) => s.id).join(',')}|${argKey(arg)}`;
  const hit = table.get(key)?.deref();
  if (hit !== undefined) return hit;
  if (srcs.length !== OPS[op].arity) throw new Error(`internal: ${op} takes ${OPS[op].arity} inputs, got ${srcs.length}`);
  const node = new Node(op, dtype, [...shape], [...srcs], arg, key);
  table.set(key, new WeakRef(node));
  registry.register(node, key);
  return node;
}

/** How many distinct nodes are alive in the hash-consing table (for tests and memory reports). */
export function liveNodeCount(): number {
  let n = 0;
  for (const r of table.values()) if (r.deref() !== undefined) n++;
  return n;
}
