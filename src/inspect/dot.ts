/**
 * Graphviz DOT text of a program graph (model.ts), in three views:
 * - `nodesDot`: every node, one cluster per kernel, edges labelled with the value's type;
 * - `kernelsDot`: one box per kernel (a large graph collapsed), with the program inputs and the buffers
 *   between kernels as labelled edges;
 * - `kernelDot`: the nodes of one kernel, with what it reads drawn at its boundary.
 * Names and labels are generated (ops, types, numbers): no user text reaches the DOT or the SVG made from it.
 * SVG elements get ids `<prefix>n<i>` (node i), `<prefix>k<k>` (kernel k's cluster or box).
 */
import type { GraphKernel, GraphNode, NodeKind, ProgramGraph } from './model.js';
import { typeText } from './labels.js';

export const KIND_COLORS: Record<NodeKind, string> = {
  forward: '#dbe9f6',
  backward: '#fde0c5',
  update: '#d6f0d6',
  input: '#ececec',
};

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const HEADER = [
  'rankdir=TB',
  'fontname="Helvetica,Arial,sans-serif"',
  'fontsize=10',
  'nodesep=0.18',
  'ranksep=0.32',
  // Fewer rounds of crossing reduction and network simplex: a readable layout in a fraction of the time.
  'mclimit=0.5',
  'nslimit=4',
  'nslimit1=4',
  'forcelabels=true',
  'node [shape=box style="rounded,filled" fontname="Helvetica,Arial,sans-serif" fontsize=9 height=0.3 margin="0.06,0.03"]',
  'edge [fontname="Helvetica,Arial,sans-serif" fontsize=7 color="#666666" arrowsize=0.5]',
];

function nodeLabel(n: GraphNode): string {
  const consts = n.consts.some((c) => c !== null) ? ' ' + n.consts.map((c) => c ?? '·').join(' ') : '';
  return `${n.label}${consts}\n${typeText(n.dtype, n.shape)}`;
}

function nodeLine(prefix: string, i: number, n: GraphNode, extra = ''): string {
  const pen = n.output ? ' penwidth=2' : '';
  return `n${i} [id="${prefix}n${i}" class="node-${n.kind}" label="${esc(nodeLabel(n))}" fillcolor="${KIND_COLORS[n.kind]}"${pen}${extra}]`;
}

const edgeLabel = (n: GraphNode): string => esc(typeText(n.dtype, n.shape));

export const kernelTitle = (k: GraphKernel): string => `${k.name} ${k.kind} ${typeText(k.dtype, k.shape)}`;

/** Every node, clustered by kernel. */
export function nodesDot(g: ProgramGraph, prefix = ''): string {
  const out = ['digraph program {', ...HEADER];
  g.kernels.forEach((k, ki) => {
    out.push(`subgraph cluster_${ki} {`, `id="${prefix}k${ki}" class="kernel" label="${esc(kernelTitle(k))}" style="rounded" color="#8a8a8a" fontsize=9`);
    for (const i of k.nodes) out.push(nodeLine(prefix, i, g.nodes[i]!));
    out.push('}');
  });
  g.nodes.forEach((n, i) => {
    if (n.kernel < 0) out.push(nodeLine(prefix, i, n));
  });
  g.nodes.forEach((n, i) => {
    for (const s of n.srcs) if (s >= 0) out.push(`n${s} -> n${i} [xlabel="${edgeLabel(g.nodes[s]!)}"]`);
  });
  out.push('}');
  return out.join('\n');
}

function opSummary(ops: readonly string[], max = 6): string {
  const counts = new Map<string, number>();
  for (const o of ops) counts.set(o, (counts.get(o) ?? 0) + 1);
  const parts = [...counts].map(([o, c]) => (c > 1 ? `${o}×${c}` : o));
  return parts.length > max ? `${parts.slice(0, max).join(' ')} …` : parts.join(' ');
}

/** One box per kernel, the program inputs, and the buffers between them. */
export function kernelsDot(g: ProgramGraph, prefix = ''): string {
  const out = ['digraph kernels {', ...HEADER];
  const kernelOf = (i: number): number => g.nodes[i]!.kernel;
  const usedInputs = new Set<number>();
  g.kernels.forEach((k, ki) => {
    const kinds = new Map<NodeKind, number>();
    for (const i of k.nodes) kinds.set(g.nodes[i]!.kind, (kinds.get(g.nodes[i]!.kind) ?? 0) + 1);
    const main = [...kinds].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'forward';
    const output = k.writes.some((i) => g.nodes[i]!.output);
    const label = `${kernelTitle(k)}\n${opSummary(k.ops)}\n${k.nodes.length} node${k.nodes.length === 1 ? '' : 's'}`;
    out.push(
      `K${ki} [id="${prefix}k${ki}" class="kernel node-${main}" label="${esc(label)}" fillcolor="${KIND_COLORS[main]}"${output ? ' penwidth=2' : ''}]`,
    );
    for (const r of k.reads) if (kernelOf(r) < 0) usedInputs.add(r);
  });
  g.nodes.forEach((n, i) => {
    if (n.kernel < 0 && (usedInputs.has(i) || n.output)) out.push(nodeLine(prefix, i, n));
  });
  g.kernels.forEach((k, ki) => {
    for (const r of k.reads) {
      const from = kernelOf(r) < 0 ? `n${r}` : `K${kernelOf(r)}`;
      out.push(`${from} -> K${ki} [xlabel="${edgeLabel(g.nodes[r]!)}"]`);
    }
  });
  out.push('}');
  return out.join('\n');
}

/** The nodes of kernel `ki`, and the values it reads at its boundary (dashed). */
export function kernelDot(g: ProgramGraph, ki: number, prefix = ''): string {
  const k = g.kernels[ki]!;
  const out = ['digraph kernel {', ...HEADER];
  const inside = new Set(k.nodes);
  out.push(`subgraph cluster_${ki} {`, `id="${prefix}k${ki}" class="kernel" label="${esc(kernelTitle(k))}" style="rounded" color="#8a8a8a"`);
  for (const i of k.nodes) out.push(nodeLine(prefix, i, g.nodes[i]!));
  out.push('}');
  const boundary = new Set<number>();
  for (const i of k.nodes) for (const s of g.nodes[i]!.srcs) if (s >= 0 && !inside.has(s)) boundary.add(s);
  for (const b of boundary) out.push(nodeLine(prefix, b, g.nodes[b]!, ' style="rounded,filled,dashed"'));
  for (const i of k.nodes) for (const s of g.nodes[i]!.srcs) if (s >= 0) out.push(`n${s} -> n${i} [xlabel="${edgeLabel(g.nodes[s]!)}"]`);
  out.push('}');
  return out.join('\n');
}
