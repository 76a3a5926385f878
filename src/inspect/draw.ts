/**
 * Drawing a pending graph without running it (`torch.ir.draw`): it is planned (not compiled) to learn its
 * kernels, and drawn with its nodes clustered by kernel, or one box per kernel when it is large.
 */
import { structuralKey, ValueError, type Node } from '../ir/index.js';
import { planProgram } from '../compiler/compile.js';
import { liftConstants } from '../compiler/lift-constants.js';
import { threadCount } from '../runtime/cpu.js';
import { kernelsDot, nodesDot } from './dot.js';
import { programGraph, type ProgramGraph } from './model.js';
import { DEFAULT_MAX_NODES, MAX_KERNEL_BOXES } from './report.js';
import { loadViz, renderSvg } from './viz.js';

export type DrawView = 'auto' | 'nodes' | 'kernels';

/** The graph computing `roots` as the compiler would run it (inputs only, for values already computed). */
export function pendingGraph(roots: readonly Node[]): ProgramGraph {
  const pending = [...new Set(roots.filter((r) => r.op !== 'buffer' && r.realized === null))];
  // Planned as the cpu device plans it: constants that are data read from an input (lift-constants.ts).
  const { inputs, consts } = structuralKey(pending);
  const lifted = liftConstants(pending, inputs, consts);
  const planned = planProgram({ roots: lifted.roots, inputs: lifted.inputs, threads: threadCount() });
  const g = programGraph(pending, lifted.roots, planned.plan, planned.trace);
  if (pending.length === roots.length) return g;
  // Computed values among the roots: drawn as the program inputs they are.
  const done = roots.filter((r) => !pending.includes(r));
  const extra = done.map((r) => ({
    op: r.op,
    label: 'input',
    dtype: r.dtype,
    shape: r.shape,
    srcs: [],
    consts: [],
    kernel: -1,
    output: true,
    site: -1,
    kind: 'input' as const,
  }));
  return { ...g, nodes: [...g.nodes, ...extra] };
}

/** DOT text of the graph; `auto` draws every node up to DEFAULT_MAX_NODES, else one box per kernel. */
export function graphDot(g: ProgramGraph, view: DrawView): string {
  const whole = view === 'nodes' || (view === 'auto' && g.nodes.length <= DEFAULT_MAX_NODES);
  return whole ? nodesDot(g) : kernelsDot(g);
}

/** SVG of the graph (layout by Graphviz); a collapsed graph of more than MAX_KERNEL_BOXES kernels is refused. */
export async function graphSvg(g: ProgramGraph, view: DrawView): Promise<string> {
  const whole = view === 'nodes' || (view === 'auto' && g.nodes.length <= DEFAULT_MAX_NODES);
  if (!whole && g.kernels.length > MAX_KERNEL_BOXES) {
    throw new ValueError(
      `ir.draw: ${g.nodes.length} nodes in ${g.kernels.length} kernels is too large to lay out (more than ${MAX_KERNEL_BOXES} kernels); use { format: 'dot' } for the DOT text`,
    );
  }
  await loadViz();
  return renderSvg(graphDot(g, view));
}
