/**
 * `torch.ir.toJSON` / `torch.ir.fromJSON`: a pending graph saved as JSON with the values of the buffers it
 * reads, and loaded back as tensors that compute the same values. The graph is `src/ir/schema.ts`'s form
 * (version 1, nodes in order, buffers as numbered inputs); `data` holds each input's bytes in base64
 * (little-endian, as graft's typed arrays and safetensors store them). Loading checks everything first —
 * the schema (zod), each node against its op's rules, cycles, the data's length — and a malformed file is a
 * FormatError naming the field.
 */
import { z } from 'zod';
import { DTYPE_INFO, FormatError, graphFromJSON, graphToJSON, numel, toposort, ValueError, type GraphJSON, type Node } from '../ir/index.js';
import { getDevice, type Buffer } from '../runtime/index.js';
import { fromNode, Tensor } from './tensor.js';

/** The file form: the graph and one base64 string per input. */
export interface IRFile extends GraphJSON {
  readonly data: readonly string[];
}

const DataJSON = z.object({ data: z.array(z.string()) });

function tensorList(op: string, x: unknown): Tensor[] {
  const list = x instanceof Tensor ? [x] : Array.isArray(x) ? [...(x as unknown[])] : [];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor or a non-empty list of Tensors`);
  return list as Tensor[];
}

const bufferOf = (n: Node): Buffer => (n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer));

/** The graph computing `tensors` (pending or not) and the values of what it reads, as JSON-ready data. */
export function toJSON(tensors: Tensor | readonly Tensor[]): IRFile {
  const list = tensorList('ir.toJSON', tensors);
  const roots = list.map((t) => t.node);
  const graph = graphToJSON(roots);
  // graphToJSON numbers the inputs in its own walk: the same walk gives the same nodes in the same order.
  const inputs = toposort(roots, true).filter((n) => n.op === 'buffer' || n.realized !== null);
  const data = inputs.map((n) => {
    const buf = bufferOf(n);
    const host = getDevice(buf.device).toHost(buf);
    return globalThis.Buffer.from(host.buffer, host.byteOffset, host.byteLength).toString('base64');
  });
  return { ...graph, data };
}

/** Tensors (on `device`, default cpu) computing what a `toJSON` file describes. `json`: the object or its text. */
export function fromJSON(json: unknown, opts: { device?: string } = {}): Tensor[] {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new FormatError(`graph JSON: not JSON (${(e as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('graph JSON: expected an object with version, nodes, inputs, outputs and data');
  const d = DataJSON.safeParse(value);
  if (!d.success) throw new FormatError(`graph JSON: data: ${d.error.issues[0]!.message} (one base64 string per input)`);
  const nodes = (value as { nodes?: unknown }).nodes;
  const inputs = (value as { inputs?: unknown }).inputs;
  const device = getDevice(opts.device ?? 'cpu');
  // The buffers are made only after the graph has passed every check (graphFromJSON checks it again, bound).
  const shapes = Array.isArray(nodes) && Array.isArray(inputs) ? inputs.map((i) => (nodes as { dtype?: unknown; shape?: unknown }[])[i as number]) : [];
  if (d.data.data.length !== shapes.length) throw new FormatError(`graph JSON: data: ${d.data.data.length} entries for ${shapes.length} inputs`);
  const refs = shapes.map((spec, i) => {
    const dtype = spec?.dtype;
    const shape = spec?.shape;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_INFO) || !Array.isArray(shape) || !shape.every((x) => Number.isSafeInteger(x) && x >= 0)) {
      throw new FormatError(`graph JSON: inputs[${i}]: not a buffer node with a dtype and a shape`);
    }
    const info = DTYPE_INFO[dtype as keyof typeof DTYPE_INFO];
    const n = numel(shape as number[]);
    const text = d.data.data[i]!;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new FormatError(`graph JSON: data[${i}]: not base64`);
    const bytes = globalThis.Buffer.from(text, 'base64');
    if (bytes.length !== n * info.bytes) throw new FormatError(`graph JSON: data[${i}]: ${bytes.length} bytes for ${n} elements of ${dtype} (${n * info.bytes} bytes)`);
    const array = new info.array(n);
    new Uint8Array(array.buffer).set(bytes);
    return device.fromHost(dtype as keyof typeof DTYPE_INFO, array);
  });
  const { data: _data, ...graph } = value as IRFile;
  return graphFromJSON(graph, refs).map((n) => fromNode(n, device.name));
}
