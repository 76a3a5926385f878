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
import type { Scalar } from './scalar.js';
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
function decodeNum(x: unknown, dtype: DType): Scalar {
  if (dtype === 'int64') {
    const t = int64Text.safeParse(x);
    if (!t.success) throw new FormatError(`graph JSON: an int64 value must be a decimal string ending in n, got ${JSON.stringify(x)}`);
    return BigInt(t.data.slice(0, -1));
  }
  const v = num.safeParse(x);
  if (!v.success) throw new FormatError(`graph JSON: expected a number, got ${JSON.stringify(x)}`);
  return typeof v.data === 'number' ? v.data : v.data === '-0' ? -0 : Number(v.data);
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

/** Rebuild a graph from its JSON form, binding `buffers` to its inputs in order. Returns the output nodes. */
export function graphFromJSON(json: unknown, buffers: readonly BufferRef[]): Node[] {
  const parsed = GraphJSON.safeParse(json);
  if (!parsed.success) throw new FormatError(`graph JSON: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const g = parsed.data;
  if (buffers.length !== g.inputs.length) throw new FormatError(`graph JSON: expected ${g.inputs.length} input buffers, got ${buffers.length}`);
  const built: Node[] = [];
  const inputPos = new Map(g.inputs.map((n, i) => [n, i]));
  g.nodes.forEach((n, i) => {
    if (n.srcs.some((s) => s >= i)) throw new FormatError(`graph JSON: node ${i} reads a later node`);
    const srcs = n.srcs.map((s) => built[s]!);
    let arg: Arg;
    if (n.op === 'buffer') {
      const pos = inputPos.get(i);
      if (pos === undefined) throw new FormatError(`graph JSON: buffer node ${i} is not an input`);
      const ref = buffers[pos]!;
      if (ref.dtype !== n.dtype || ref.size !== numel(n.shape)) {
        throw new FormatError(`graph JSON: input ${pos} must be ${n.dtype}[${n.shape}], got ${ref.dtype} of ${ref.size} elements`);
      }
      arg = { ref };
    } else if (n.op === 'const') arg = decodeNum(n.arg, n.dtype);
    else if (n.op === 'pad') {
      const a = z.object({ pads: z.array(z.tuple([dim, dim])), value: z.unknown() }).parse(n.arg);
      arg = { pads: a.pads, value: decodeNum(a.value, n.dtype) };
    } else arg = (n.arg ?? null) as Arg;
    built.push(makeNode(n.op, n.dtype, n.shape, srcs, arg));
  });
  return g.outputs.map((o) => {
    const node = built[o];
    if (!node) throw new FormatError(`graph JSON: output ${o} does not exist`);
    return node;
  });
}
