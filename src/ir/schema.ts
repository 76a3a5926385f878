/**
 * The JSON form of an IR graph, validated with zod: what an ahead-of-time compiled step saves and loads.
 * Buffers are parameters (inputs, by position); their data travels separately.
 */
import { z } from 'zod';
import { DTYPES, type DType } from './dtype.js';
import { FormatError } from './errors.js';
import { toposort } from './graph.js';
import { makeNode, type Arg, type BufferRef, type Node } from './node.js';
import { OP_NAMES, type Op } from './ops.js';
import { castScalar, type Scalar } from './scalar.js';
import { nodeProblem } from './validate.js';
import { numel } from './shape.js';

const dim = z.number().int().nonnegative();
const int64Text = z.string().regex(/^-?\d+n$/);
const num = z.union([z.number(), z.literal('NaN'), z.literal('Infinity'), z.literal('-Infinity'), z.literal('-0')]);

export const NodeJSON = z.object({
  op: z.enum(OP_NAMES as [Op, ...Op[]]),
  dtype: z.enum(DTYPES as [DType, ...DType[]]),
  shape: z.array(dim),
  srcs: z.array(z.number().int().nonnegative()),
  arg: z.unknown(),
});

export const GraphJSON = z.object({
  version: z.literal(1),
  nodes: z.array(NodeJSON),
  /** Node indices of buffer parameters, in parameter order. */
  inputs: z.array(z.number().int().nonnegative()),
  outputs: z.array(z.number().int().nonnegative()),
});
export type GraphJSON = z.infer<typeof GraphJSON>;

/** int64 values travel as decimal strings with an `n` suffix (JSON numbers are doubles). */
function encodeNum(x: Scalar): number | string {
  if (typeof x === 'bigint') return `${x}n`;
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Object.is(x, -0)) return '-0';
  return x;
}
function decodeNum(x: unknown, dtype: DType, field: string): Scalar {
  if (dtype === 'int64') {
    const t = int64Text.safeParse(x);
    if (!t.success) throw new FormatError(`graph JSON: ${field}: an int64 value must be a decimal string ending in n, got ${JSON.stringify(x)}`);
    return BigInt(t.data.slice(0, -1));
  }
  const v = num.safeParse(x);
  if (!v.success) throw new FormatError(`graph JSON: ${field}: expected a number, got ${JSON.stringify(x)}`);
  // Stored as the dtype holds it (an int32 constant of 1.5 is not a value any graph makes).
  return castScalar(typeof v.data === 'number' ? v.data : v.data === '-0' ? -0 : Number(v.data), dtype);
}

function encodeArg(a: Arg): unknown {
  if (a === null) return null;
  if (typeof a === 'number' || typeof a === 'bigint') return encodeNum(a);
  if ('ref' in a) return null;
  if ('pads' in a) return { pads: a.pads, value: encodeNum(a.value) };
  return a;
}

/** The JSON form of the graph computing `roots`; buffers and realized nodes become numbered inputs. */
export function graphToJSON(roots: readonly Node[]): GraphJSON {
  const order = toposort(roots, true);
  const index = new Map<Node, number>();
  const nodes: GraphJSON['nodes'] = [];
  const inputs: number[] = [];
  for (const n of order) {
    index.set(n, nodes.length);
    if (n.op === 'buffer' || n.realized) {
      inputs.push(nodes.length);
      nodes.push({ op: 'buffer', dtype: n.dtype, shape: [...n.shape], srcs: [], arg: null });
    } else {
      nodes.push({ op: n.op, dtype: n.dtype, shape: [...n.shape], srcs: n.srcs.map((s) => index.get(s)!), arg: encodeArg(n.arg) });
    }
  }
  return { version: 1, nodes, inputs, outputs: roots.map((r) => index.get(r)!) };
}

/** A zod path as a field name: `nodes[3].shape`. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** A node reading a later node: a cycle (named by its nodes) or a misordered list. */
function forwardRead(nodes: readonly { srcs: readonly number[] }[], i: number, j: number, s: number): string {
  if (s === i) return `nodes[${i}].srcs[${j}]: a cycle: node ${i} reads itself`;
  // Is there a path from s back to i? Then i -> s -> ... -> i is a cycle.
  const parent = new Map<number, number>([[s, -1]]);
  const stack = [s];
  while (stack.length) {
    const n = stack.pop()!;
    for (const m of nodes[n]?.srcs ?? []) {
      if (m === i) {
        // i reads s, s reads ... reads n, n reads i: the parents lead from n back to s.
        const chain: number[] = [];
        for (let k = n; k !== -1; k = parent.get(k)!) chain.push(k);
        return `nodes[${i}].srcs[${j}]: a cycle: ${[i, ...chain.reverse(), i].join(' -> ')} (each node reads the next)`;
      }
      if (!parent.has(m) && m < nodes.length) (parent.set(m, n), stack.push(m));
    }
  }
  return `nodes[${i}].srcs[${j}]: reads node ${s}, which comes later (nodes must follow their inputs)`;
}

/** Rebuild a graph from its JSON form, binding `buffers` to its inputs in order. Returns the output nodes. */
export function graphFromJSON(json: unknown, buffers: readonly BufferRef[]): Node[] {
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof json === 'object' && json !== null && version !== 1) {
    throw new FormatError(`graph JSON: version: ${version === undefined ? 'missing' : `unknown version ${JSON.stringify(version)}`} (this graft reads version 1)`);
  }
  const parsed = GraphJSON.safeParse(json);
  if (!parsed.success) throw new FormatError(`graph JSON: ${parsed.error.issues.map((i) => `${fieldName(i.path) || '(top)'}: ${i.message}`).join('; ')}`);
  const g = parsed.data;
  if (buffers.length !== g.inputs.length) throw new FormatError(`graph JSON: expected ${g.inputs.length} input buffers, got ${buffers.length}`);
  const built: Node[] = [];
  const inputPos = new Map<number, number>();
  g.inputs.forEach((n, i) => {
    if (g.nodes[n]?.op !== 'buffer') throw new FormatError(`graph JSON: inputs[${i}]: node ${n} is not a buffer node`);
    if (inputPos.has(n)) throw new FormatError(`graph JSON: inputs[${i}]: node ${n} is listed twice`);
    inputPos.set(n, i);
  });
  g.nodes.forEach((n, i) => {
    n.srcs.forEach((s, j) => {
      if (s >= g.nodes.length) throw new FormatError(`graph JSON: nodes[${i}].srcs[${j}]: reads node ${s}, but there are ${g.nodes.length} nodes`);
      if (s >= i) throw new FormatError(`graph JSON: ${forwardRead(g.nodes, i, j, s)}`);
    });
    const srcs = n.srcs.map((s) => built[s]!);
    const problem = nodeProblem({ op: n.op, dtype: n.dtype, shape: n.shape, arg: n.arg, srcs });
    if (problem) throw new FormatError(`graph JSON: nodes[${i}].${problem.field}: ${problem.message}`);
    let arg: Arg;
    if (n.op === 'buffer') {
      const pos = inputPos.get(i);
      if (pos === undefined) throw new FormatError(`graph JSON: nodes[${i}]: a buffer node must be listed in inputs`);
      const ref = buffers[pos]!;
      if (ref.dtype !== n.dtype || ref.size !== numel(n.shape)) {
        throw new FormatError(`graph JSON: input ${pos} must be ${n.dtype}[${n.shape}], got ${ref.dtype} of ${ref.size} elements`);
      }
      arg = { ref };
    } else if (n.op === 'const') arg = decodeNum(n.arg, n.dtype, `nodes[${i}].arg`);
    else if (n.op === 'pad') {
      const a = n.arg as { pads: [number, number][]; value: unknown };
      arg = { pads: a.pads, value: decodeNum(a.value, n.dtype, `nodes[${i}].arg.value`) };
    } else arg = n.arg === null || n.arg === undefined ? null : (JSON.parse(JSON.stringify(n.arg)) as Arg); // a copy: the caller's object may change
    built.push(makeNode(n.op, n.dtype, n.shape, srcs, arg));
  });
  return g.outputs.map((o, i) => {
    const node = built[o];
    if (!node) throw new FormatError(`graph JSON: outputs[${i}]: node ${o} does not exist`);
    return node;
  });
}
