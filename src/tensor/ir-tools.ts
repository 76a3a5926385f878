/**
 * IR inspection from the public API: `torch.ir`.
 * - `ir.print(t)`: the pending graph of `t` as text (jaxpr-like).
 * - `ir.kernels(t)`: the kernels that computing `t` would run (name, kind, shape, fused ops, C source);
 *   an empty list when `t` is already computed.
 * - `ir.draw(t, { format })`: the graph as SVG (Graphviz) or DOT, nodes clustered by kernel.
 * - `ir.toJSON(t)` / `ir.fromJSON(json)`: the graph and the values it reads, saved and loaded (ir-json.ts).
 * - `ir.recordSites(on)`: record where each node is built (what `graft inspect` does), so drawings and
 *   reports can link nodes to script lines and tell gradient nodes apart.
 */
import { printGraph, ValueError } from '../ir/index.js';
import { plannedKernels, type KernelInfo } from '../runtime/index.js';
import { graphDot, graphSvg, pendingGraph } from '../inspect/draw.js';
import { recordSites as setRecording } from '../inspect/sites.js';
import { fromJSON, toJSON, type IRFile } from './ir-json.js';
import { defineOptions, str } from './options.js';
import { Tensor } from './tensor.js';

/**
 * The pending IR graph computing one tensor (or several together) as text in the style of JAX's jaxpr: inputs
 * (buffers, realized values) after `lambda`, then one node per line with its op, parameters, shape and dtype.
 * Returns the text (print it with console.log); computes nothing.
 *
 *   { lambda a:f32[2,3]. let
 *       b:f32[2,3] = exp a
 *     in (b) }
 */
function print(tensors: Tensor | readonly Tensor[]): string {
  return printGraph(tensorList('ir.print', tensors).map((t) => t.node));
}

function tensorList(op: string, tensors: unknown): Tensor[] {
  const list = tensors instanceof Tensor ? [tensors] : Array.isArray(tensors) ? [...(tensors as unknown[])] : [];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor or a list of Tensors`);
  return list as Tensor[];
}

/** The kernels that computing `t` (on its device) would run, with their C sources. Computes nothing. */
function kernels(t: Tensor): KernelInfo[] {
  if (!(t instanceof Tensor)) throw new ValueError('ir.kernels: expected a Tensor');
  return plannedKernels([t.node]);
}

const DRAW_OPTIONS = defineOptions('ir.draw', { format: str.optional(), view: str.optional() });

/**
 * The graph computing `t` (or several tensors together), planned but not run: SVG laid out by Graphviz
 * (default) or its DOT text. Nodes are grouped in one cluster per kernel, edges carry the value's type;
 * `view: 'kernels'` draws one box per kernel instead, which `auto` (the default) does for graphs of more than
 * 600 nodes. Async: Graphviz (WebAssembly) loads on first use.
 */
async function draw(tensors: Tensor | readonly Tensor[], opts?: { format?: 'svg' | 'dot'; view?: 'auto' | 'nodes' | 'kernels' }): Promise<string> {
  const list = tensorList('ir.draw', tensors);
  const o = DRAW_OPTIONS.parse(opts ?? {});
  const format = o.format ?? 'svg';
  const view = o.view ?? 'auto';
  if (format !== 'svg' && format !== 'dot') throw new ValueError(`ir.draw: format must be 'svg' or 'dot', got '${format}'`);
  if (view !== 'auto' && view !== 'nodes' && view !== 'kernels') throw new ValueError(`ir.draw: view must be 'auto', 'nodes' or 'kernels', got '${view}'`);
  const g = pendingGraph(list.map((t) => t.node));
  return format === 'dot' ? graphDot(g, view) : graphSvg(g, view);
}

/** Record (true) or stop recording (false) where each IR node is built; returns whether it was on. */
function recordSites(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new ValueError('ir.recordSites: expected a boolean');
  return setRecording(on);
}

export const ir = { print, kernels, draw, toJSON, fromJSON, recordSites };
export type { KernelInfo, IRFile };
