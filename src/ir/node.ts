import type { DType } from './dtype.js';
import { OPS, type Op } from './ops.js';
import { scalarKey, type Scalar } from './scalar.js';
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

/** Values (constants, pad values) are Scalars: bigints for int64, numbers otherwise. */
export type Arg =
  | null
  | Scalar
  | { readonly ref: BufferRef }
  | { readonly salt: number }
  | { readonly op: string; readonly axes: readonly number[] }
  | { readonly axis: number }
  | { readonly axis: number; readonly size: number; readonly step: number }
  | { readonly perm: readonly number[] }
  | { readonly pads: readonly (readonly [number, number])[]; readonly value: Scalar }
  | { readonly start: readonly number[]; readonly step: readonly number[] }
  | { readonly axes: readonly number[] };

let nextId = 1;

/**
 * An IR node. Immutable and hash-consed: building a node equal to a live one (same op, dtype, shape, arg and
 * the very same inputs) returns the live one, so equal subgraphs are one object (CSE for free). `node.key`
 * is the node's own signature (op, dtype, shape, argument), without its inputs.
 */
export class Node {
  readonly id: number;
  /**
   * Cache of this node's realized value (set by the runtime after computing it). Nodes are values, so a
   * realized node never needs computing again while it lives.
   */
  realized: BufferRef | null = null;
  /** @internal Scratch of graph walks (hash.ts structuralKey): the walk that last saw the node, its number there. */
  _mark = 0;
  _local = 0;
  /** @internal Hash-consing: the nodes reading this node first (see makeNode). */
  _users: Level | null = null;

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
  if (typeof arg === 'number' || typeof arg === 'bigint') return scalarKey(arg);
  if ('ref' in arg) return `b${arg.ref.id}`;
  return JSON.stringify(arg, (_k, v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? scalarKey(v) : v));
}

/**
 * The hash-consing table. A node is found again through its inputs: nested WeakMaps keyed by the input
 * nodes (ephemerons), then a Map from the node's own signature (`op|dtype|shape|arg`). An entry lives as
 * long as every input of the node lives, and never keeps an input alive. No WeakRef per node: a WeakRef
 * keeps its target alive until the end of the current JS job, so in a synchronous training loop every node
 * of every step — and through them every batch buffer — would stay alive until the loop ends.
 *
 * Buffer nodes are found through their buffer (a WeakMap keyed by the BufferRef). Constants and iotas,
 * which read nothing, sit in a table of WeakRefs: small leaves holding no memory.
 */
export interface Level {
  /** The nodes reading exactly these inputs: a short list (most inputs have a few readers), a Map beyond. */
  nodes: Node[] | Map<string, Node> | null;
  next: WeakMap<Node, Level> | null;
}
const byBuffer = new WeakMap<object, Map<string, Node>>();
const leaves = new Map<string, WeakRef<Node>>();
const leafRegistry = new FinalizationRegistry<string>((key) => {
  const ref = leaves.get(key);
  if (ref !== undefined && ref.deref() === undefined) leaves.delete(key);
});
/** Nodes made and nodes collected, for liveNodeCount. */
let made = 0;
let collected = 0;
const counter = new FinalizationRegistry<undefined>(() => {
  collected++;
});
const SHORT_LIST = 8;

function sourceLevel(srcs: readonly Node[]): Level {
  // The first level hangs on the first input itself (a strong field: the same lifetime as a WeakMap entry
  // keyed by it, without the cost of an ephemeron lookup); deeper levels are WeakMaps keyed by the others.
  let level: Level = (srcs[0]!._users ??= { nodes: null, next: null });
  for (let i = 1; i < srcs.length; i++) {
    const map: WeakMap<Node, Level> = (level.next ??= new WeakMap());
    let l = map.get(srcs[i]!);
    if (l === undefined) {
      l = { nodes: null, next: null };
      map.set(srcs[i]!, l);
    }
    level = l;
  }
  return level;
}

function findIn(level: Level, sig: string): Node | undefined {
  const ns = level.nodes;
  if (ns === null) return undefined;
  if (Array.isArray(ns)) {
    for (const n of ns) if (n.key === sig) return n;
    return undefined;
  }
  return ns.get(sig);
}

function addTo(level: Level, node: Node): void {
  const ns = level.nodes;
  if (ns === null) level.nodes = [node];
  else if (!Array.isArray(ns)) ns.set(node.key, node);
  else if (ns.length < SHORT_LIST) ns.push(node);
  else level.nodes = new Map([...ns, node].map((n) => [n.key, n]));
}

/** Build (or find) a node. Internal: use the builders in build.ts, which check their inputs. */
export function makeNode(op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg): Node {
  const sig = `${op}|${dtype}|${shape.join(',')}|${argKey(arg)}`;
  if (srcs.length === 0) {
    if (op === 'buffer') {
      const ref = (arg as { ref: BufferRef }).ref;
      let m = byBuffer.get(ref);
      const hit = m?.get(sig);
      if (hit !== undefined) return hit;
      if (m === undefined) byBuffer.set(ref, (m = new Map()));
      const node = create(op, dtype, shape, srcs, arg, sig);
      m.set(sig, node);
      return node;
    }
    const hit = leaves.get(sig)?.deref();
    if (hit !== undefined) return hit;
    const node = create(op, dtype, shape, srcs, arg, sig);
    leaves.set(sig, new WeakRef(node));
    leafRegistry.register(node, sig);
    return node;
  }
  if (srcs.length !== OPS[op].arity) throw new Error(`internal: ${op} takes ${OPS[op].arity} inputs, got ${srcs.length}`);
  const level = sourceLevel(srcs);
  const hit = findIn(level, sig);
  if (hit !== undefined) return hit;
  const node = create(op, dtype, shape, srcs, arg, sig);
  addTo(level, node);
  return node;
}

function create(op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg, sig: string): Node {
  if (srcs.length !== OPS[op].arity) throw new Error(`internal: ${op} takes ${OPS[op].arity} inputs, got ${srcs.length}`);
  const node = new Node(op, dtype, [...shape], [...srcs], arg, sig);
  made++;
  counter.register(node, undefined);
  return node;
}

/**
 * How many nodes are alive (made minus collected; collection is noticed after the current JS job ends and a
 * GC ran), for tests and memory reports.
 */
export function liveNodeCount(): number {
  return made - collected;
}
