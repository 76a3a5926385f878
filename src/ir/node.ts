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
  /** The build epoch the node was made in (see nextBuildEpoch). */
  readonly epoch = buildEpoch;
  /**
   * The longest chain of nodes still to compute that ends here (inputs already computed count 0): the tensor
   * layer realizes a graph that grows deeper than a bound.
   */
  readonly depth: number;
  /**
   * The oldest build epoch among the nodes still to compute that this node's value needs, not counting
   * itself and leaves without inputs (Infinity when none): a graph older than the current epoch has
   * survived a realization (an accumulator across training steps), see src/tensor/realization.ts.
   */
  readonly pendingSince: number;

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
    let depth = 0;
    let since = Infinity;
    for (let i = 0; i < srcs.length; i++) {
      const s = srcs[i]!;
      if (s.realized !== null || s.srcs.length === 0) continue;
      if (s.depth >= depth) depth = s.depth + 1;
      const t = s.epoch < s.pendingSince ? s.epoch : s.pendingSince;
      if (t < since) since = t;
    }
    this.depth = srcs.length ? Math.max(depth, 1) : 0;
    this.pendingSince = since;
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
 * The hash-consing table, scoped to a *build epoch*: the nodes built between two realizations. A node is
 * found again through its inputs: the first input holds a level (its readers), deeper inputs key WeakMaps
 * (ephemerons), then a short list or a Map by the node's own signature (`op|dtype|shape|arg`). A level
 * stamped with an older epoch is discarded when next touched, so a long-lived input (a parameter, a dataset
 * tensor) does not keep every node ever built from it — nor those nodes' realized buffers — alive: equal
 * subgraphs are shared within the graphs being built (CSE for free, stable structural keys), not across
 * realizations (PyTorch recomputes there too). No WeakRef or FinalizationRegistry per node: a WeakRef keeps
 * its target alive until the end of the current JS job, and finalization cells pile up until the event loop
 * turns, so a synchronous training loop would keep every step's graph.
 *
 * Buffer nodes are found through their buffer (a WeakMap keyed by the BufferRef). Constants and iotas, which
 * read nothing, sit in a plain Map emptied at every new epoch.
 */
export interface Level {
  readonly epoch: number;
  /** The nodes reading exactly these inputs: a short list (most inputs have a few readers), a Map beyond. */
  nodes: Node[] | Map<string, Node> | null;
  next: WeakMap<Node, Level> | null;
}
const byBuffer = new WeakMap<object, Map<string, Node>>();
const leaves = new Map<string, Node>();
const SHORT_LIST = 8;
const MAX_LEAVES = 4096;
let buildEpoch = 1;

/**
 * Start a new build epoch (the runtime calls this at every realization): nodes built from now on are not
 * shared with nodes built before. Returns the new epoch.
 */
export function nextBuildEpoch(): number {
  leaves.clear();
  return ++buildEpoch;
}

/** The current build epoch (nodes record the epoch they were built in). */
export function currentBuildEpoch(): number {
  return buildEpoch;
}

function freshLevel(): Level {
  return { epoch: buildEpoch, nodes: null, next: null };
}

function sourceLevel(srcs: readonly Node[]): Level {
  // The first level hangs on the first input itself (a strong field: the same lifetime as a WeakMap entry
  // keyed by it, without the cost of an ephemeron lookup); deeper levels are WeakMaps keyed by the others.
  const first = srcs[0]!;
  let level = first._users;
  if (level === null || level.epoch !== buildEpoch) level = first._users = freshLevel();
  for (let i = 1; i < srcs.length; i++) {
    const map: WeakMap<Node, Level> = (level.next ??= new WeakMap());
    let l = map.get(srcs[i]!);
    if (l === undefined || l.epoch !== buildEpoch) {
      l = freshLevel();
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
    const hit = leaves.get(sig);
    if (hit !== undefined) return hit;
    const node = create(op, dtype, shape, srcs, arg, sig);
    // A loop that builds without realizing (new constants every op) must not grow the table without bound.
    if (leaves.size >= MAX_LEAVES) leaves.clear();
    leaves.set(sig, node);
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
  return new Node(op, dtype, [...shape], [...srcs], arg, sig);
}
