import { DTYPES, type DType } from './dtype.js';
import { OPS, type Op } from './ops.js';
import { argEquals, argHash, HASH_START, mix } from './arg.js';
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
  | { readonly axis: number; readonly descending: boolean }
  | { readonly axis: number; readonly size: number; readonly step: number }
  | { readonly perm: readonly number[] }
  | { readonly pads: readonly (readonly [number, number])[]; readonly value: Scalar }
  | { readonly start: readonly number[]; readonly step: readonly number[] }
  | { readonly axes: readonly number[] };

let nextId = 1;
const KIND_OF: Record<string, number> = Object.fromEntries(Object.keys(OPS).map((op, i) => [op, i + 1]));
const DTYPE_NUMBER: Record<string, number> = Object.fromEntries(DTYPES.map((d, i) => [d, i + 1]));

/**
 * An IR node. Immutable and hash-consed: building a node equal to a live one (same op, dtype, shape, arg and
 * the very same inputs) returns the live one, so equal subgraphs are one object (CSE for free). `node.key`
 * is the node's own signature (op, dtype, shape, argument), without its inputs, made when first asked for
 * (structural keys): building a node compares fields, it makes no strings.
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
  /** @internal hash.ts: the number of an object argument in structural keys. */
  _argCode: number | undefined = undefined;
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

  /** @internal The op and dtype as one small number (structural keys). */
  readonly _kind: number;

  constructor(
    readonly op: Op,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly srcs: readonly Node[],
    readonly arg: Arg,
  ) {
    this.id = nextId++;
    this._kind = KIND_OF[op]! * 8 + DTYPE_NUMBER[dtype]!;
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

  /** The node's own signature `op|dtype|shape|arg` (see the class comment). */
  get key(): string {
    return (this._key ??= `${this.op}|${this.dtype}|${shapeKey(this.shape)}|${argKey(this.arg)}`);
  }
  private _key: string | null = null;

  get numel(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  toString(): string {
    return `%${this.id} = ${this.op}${this.srcs.length ? ' ' + this.srcs.map((s) => '%' + s.id).join(' ') : ''} : ${this.dtype}[${this.shape.join(',')}]`;
  }
}

const shapeKeys = new WeakMap<Shape, string>();

/** `2,3,4`: the text of a shape, made once per shape array (nodes of a chain share theirs). */
export function shapeKey(shape: Shape): string {
  if (!Object.isFrozen(shape)) return shape.join(','); // a caller's array may change: no caching
  let k = shapeKeys.get(shape);
  if (k === undefined) shapeKeys.set(shape, (k = shape.join(',')));
  return k;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The shape a node keeps: frozen, and shared with its input when equal (a chain of nodes shares one array). */
function keptShape(shape: Shape, srcs: readonly Node[]): Shape {
  if (srcs.length > 0 && sameShape(srcs[0]!.shape, shape)) return srcs[0]!.shape;
  return Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
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
 * found again through its first input, which holds the list of its readers built this epoch (a short list,
 * compared field by field and input by input; a Map by signature beyond). A list stamped with an older epoch
 * is dropped when next touched, and a realization drops the lists of the inputs it read (the runtime calls
 * `forgetReaders`), so a long-lived input (a parameter, a dataset tensor) does not keep every
 * node ever built from it — nor those nodes' realized buffers — alive: equal subgraphs are shared within the
 * graphs being built (CSE for free, stable structural keys), not across realizations (PyTorch recomputes
 * there too). No WeakRef, FinalizationRegistry or WeakMap per node: a WeakRef keeps its target alive until
 * the end of the current JS job, finalization cells pile up until the event loop turns (a synchronous
 * training loop would keep every step's graph), and ephemeron tables make every collection slower.
 *
 * A buffer's node hangs on the buffer itself. Iotas and other leaves sit in a plain Map emptied at every
 * new epoch; constants in Maps by shape, dtype and value kept across epochs (bounded), their reader lists
 * dropped at every new epoch like every other node's.
 */
export interface Level {
  readonly epoch: number;
  /** The nodes reading this node first: a short list (most nodes have a few readers), a Map beyond. */
  nodes: Node[] | Map<number, Node | Node[]>;
}
/** Where a buffer keeps its nodes (one per shape it is viewed as; nearly always one). */
interface NodeHolder {
  _nodes?: Node | Node[];
}
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
  // Constants of structure stay (see constNode); only the lists of their readers go, so no graph is kept.
  for (let i = 0; i < readConstants.length; i++) readConstants[i]!._users = null;
  readConstants.length = 0;
  for (let i = 0; i < filledData.length; i++) {
    constantCount -= filledData[i]!.data.size;
    filledData[i]!.data.clear();
  }
  filledData.length = 0;
  return ++buildEpoch;
}

/**
 * Drop the lists of readers of `inputs` (the buffers a realization read): the graph just computed is not
 * kept alive by the long-lived tensors it read.
 */
export function forgetReaders(inputs: readonly Node[]): void {
  for (let i = 0; i < inputs.length; i++) inputs[i]!._users = null;
}

/** The current build epoch (nodes record the epoch they were built in). */
export function currentBuildEpoch(): number {
  return buildEpoch;
}

function sameSrcs(a: readonly Node[], b: readonly Node[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A hash of a node with its inputs, for the Map of a node with many readers (no text: src/ir/arg.ts). */
function fullHash(op: Op, dtype: DType, shape: Shape, arg: Arg, srcs: readonly Node[]): number {
  let h = mix(HASH_START, KIND_OF[op]! * 8 + DTYPE_NUMBER[dtype]!);
  for (let i = 0; i < shape.length; i++) h = mix(h, shape[i]!);
  for (let i = 0; i < srcs.length; i++) h = mix(h, srcs[i]!.id);
  return argHash(arg, h);
}

const sameNode = (n: Node, op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg): boolean =>
  n.op === op && n.dtype === dtype && n.srcs[0] === srcs[0] && sameSrcs(n.srcs, srcs) && sameShape(n.shape, shape) && argEquals(n.arg, arg);

function findIn(level: Level, op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg): Node | undefined {
  const ns = level.nodes;
  if (Array.isArray(ns)) {
    for (const n of ns) if (sameNode(n, op, dtype, shape, srcs, arg)) return n;
    return undefined;
  }
  const hit = ns.get(fullHash(op, dtype, shape, arg, srcs));
  if (hit === undefined) return undefined;
  if (!Array.isArray(hit)) return sameNode(hit, op, dtype, shape, srcs, arg) ? hit : undefined;
  for (const n of hit) if (sameNode(n, op, dtype, shape, srcs, arg)) return n;
  return undefined;
}

function addToMap(map: Map<number, Node | Node[]>, node: Node): void {
  const h = fullHash(node.op, node.dtype, node.shape, node.arg, node.srcs);
  const there = map.get(h);
  map.set(h, there === undefined ? node : Array.isArray(there) ? [...there, node] : [there, node]);
}

function addTo(level: Level, node: Node): void {
  const ns = level.nodes;
  if (!Array.isArray(ns)) addToMap(ns, node);
  else if (ns.length < SHORT_LIST) ns.push(node);
  else {
    const map = new Map<number, Node | Node[]>();
    for (const n of ns) addToMap(map, n);
    addToMap(map, node);
    level.nodes = map;
  }
}

function bufferNode(ref: BufferRef, dtype: DType, shape: Shape, arg: Arg): Node {
  const holder = ref as BufferRef & NodeHolder;
  const kept = holder._nodes;
  if (kept !== undefined) {
    if (!Array.isArray(kept)) {
      if (kept.dtype === dtype && sameShape(kept.shape, shape)) return kept;
    } else for (const n of kept) if (n.dtype === dtype && sameShape(n.shape, shape)) return n;
  }
  const node = create('buffer', dtype, shape, [], arg);
  holder._nodes = kept === undefined ? node : Array.isArray(kept) ? [...kept, node] : [kept, node];
  return node;
}

/**
 * Constants by shape text, dtype and value (Maps keyed by the value itself: no string per constant; a shape's
 * text is made once per shape array). Values that carry structure (0, ±1, ±2, ±0.5, infinities, NaN: what
 * simplify's identities and masks use) are kept across epochs; other values (data: a learning rate,
 * `x.mul(i + 2)`) only for the epoch they were built in: the Maps of values filled in an epoch are emptied
 * at the next, so a loop of new values keeps none alive, and the Maps themselves are not rebuilt (rebuilding
 * every constant and its Maps at every realization was a third of a tiny graph's cost). Reader lists of
 * constants are dropped at every new epoch like every node's (`readConstants`). Bounded like `leaves`.
 */
interface Values {
  readonly kept: Map<Scalar, Node>;
  readonly data: Map<Scalar, Node>;
}
const constants = new Map<string, Map<DType, Values>>();
let constantCount = 0;
/** Constants that got a list of readers in this epoch (dropped at the next: nextBuildEpoch). */
const readConstants: Node[] = [];
/** Maps of data values filled in this epoch (emptied at the next). */
const filledData: Values[] = [];

function isStructural(v: Scalar): boolean {
  if (typeof v === 'bigint') return v === 0n || v === 1n || v === -1n;
  return v === 0 || v === 1 || v === -1 || v === 2 || v === -2 || v === 0.5 || v === -0.5 || !Number.isFinite(v);
}

function constNode(dtype: DType, shape: Shape, value: Scalar): Node {
  // By the shape's text: cached for the frozen shapes of nodes, so a chain of ops on one tensor pays nothing.
  const key = shapeKey(shape);
  let byDtype = constants.get(key);
  if (byDtype === undefined) {
    if (constantCount >= MAX_LEAVES) {
      constants.clear();
      constantCount = 0;
      filledData.length = 0;
    }
    constants.set(key, (byDtype = new Map()));
  }
  let values = byDtype.get(dtype);
  if (values === undefined) byDtype.set(dtype, (values = { kept: new Map(), data: new Map() }));
  const structural = isStructural(value);
  const map = structural ? values.kept : values.data;
  let node = map.get(value);
  if (node === undefined) {
    node = create('const', dtype, shape, [], value);
    if (!structural && map.size === 0) filledData.push(values);
    map.set(value, node);
    constantCount++;
  }
  return node;
}

/** Build (or find) a node. Internal: use the builders in build.ts, which check their inputs. */
export function makeNode(op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg): Node {
  if (srcs.length === 0) {
    if (op === 'buffer') return bufferNode((arg as { ref: BufferRef }).ref, dtype, shape, arg);
    if (op === 'const' && (typeof arg !== 'number' || !Object.is(arg, -0))) return constNode(dtype, shape, arg as Scalar);
    const sig = `${op}|${dtype}|${shapeKey(shape)}|${argKey(arg)}`;
    const hit = leaves.get(sig);
    if (hit !== undefined) return hit;
    const node = create(op, dtype, shape, srcs, arg);
    // A loop that builds without realizing (new constants every op) must not grow the table without bound.
    if (leaves.size >= MAX_LEAVES) leaves.clear();
    leaves.set(sig, node);
    return node;
  }
  if (srcs.length !== OPS[op].arity) throw new Error(`internal: ${op} takes ${OPS[op].arity} inputs, got ${srcs.length}`);
  const first = srcs[0]!;
  let level = first._users;
  if (level === null || level.epoch !== buildEpoch) {
    const node = create(op, dtype, shape, srcs, arg);
    first._users = { epoch: buildEpoch, nodes: [node] };
    if (first.op === 'const') readConstants.push(first);
    return node;
  }
  const hit = findIn(level, op, dtype, shape, srcs, arg);
  if (hit !== undefined) return hit;
  const node = create(op, dtype, shape, srcs, arg);
  addTo(level, node);
  return node;
}

function create(op: Op, dtype: DType, shape: Shape, srcs: readonly Node[], arg: Arg): Node {
  if (srcs.length !== OPS[op].arity) throw new Error(`internal: ${op} takes ${OPS[op].arity} inputs, got ${srcs.length}`);
  return new Node(op, dtype, keptShape(shape, srcs), srcs.slice(), arg);
}
