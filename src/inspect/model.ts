/**
 * A program as plain data for drawing and reports: the graph the kernels compute (the simplified graph,
 * nodes grouped by the kernel computing them), where each node was built, and each kernel's facts. Built
 * while the nodes are alive (when the program is planned); holds no node, so it keeps no buffer alive.
 *
 * Constants are not nodes here: they are written into their readers' labels, as jaxpr writes literals. A
 * node recomputed by several kernels appears once in each.
 */
import { toposort, type DType, type Node, type Scalar } from '../ir/index.js';
import type { PlanTrace } from '../compiler/compile.js';
import { isLiftedConstantsBuffer } from '../compiler/lift-constants.js';
import type { ProgramPlan } from '../compiler/plan.js';
import { programRegions } from './kernel-map.js';
import { literal, opText } from './labels.js';
import { resolveSite, siteOf, sourceLines, type RawSite, type SiteKind } from './sites.js';

export type NodeKind = SiteKind | 'input';

export interface GraphNode {
  readonly op: string;
  /** The op with its parameters (`reduce sum (1)`). */
  readonly label: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Inputs: indices of nodes, or -1 for a constant (then `consts` has its literal at the same position). */
  readonly srcs: readonly number[];
  readonly consts: readonly (string | null)[];
  /** Index of the kernel computing it (in run order), -1 for a program input. */
  readonly kernel: number;
  /** Whether it is a result of the program. */
  readonly output: boolean;
  /** Index into the program's sites, -1 when unknown. */
  readonly site: number;
  readonly kind: NodeKind;
}

export interface GraphKernel {
  /** The kernel's name in the plan (k0, k1, ...). */
  readonly name: string;
  readonly kind: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The ops fused into it, as the planner lists them. */
  readonly ops: readonly string[];
  readonly flops: number;
  readonly bytes: number;
  /** The name of its C function and the function itself. */
  readonly fn: string;
  readonly source: string;
  /** Its nodes (indices into the graph's nodes), those it stores, those it reads from buffers. */
  readonly nodes: readonly number[];
  readonly writes: readonly number[];
  readonly reads: readonly number[];
  /** Its position in `plan.kernels` (timings are reported against plan kernels). */
  readonly planIndex: number;
}

export interface GraphSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly fn: string;
  readonly kind: SiteKind;
  /** The source lines around it (from `codeStart`), or empty when the file cannot be read. */
  readonly code: readonly string[];
  readonly codeStart: number;
}

export interface ProgramGraph {
  readonly nodes: readonly GraphNode[];
  readonly kernels: readonly GraphKernel[];
  readonly sites: readonly GraphSite[];
  /** Nodes of the graph as built (before simplification), for the text form and counts. */
  readonly builtNodes: number;
}

/** Lines of context shown around a site. */
const CONTEXT = 2;

/**
 * The node of the planned graph standing for each node of the graph as built. They differ where constants
 * that are data were lifted into an input (compiler/lift-constants.ts): the planned graph has the same
 * structure with each such constant replaced, so walking both from the roots pairs them up.
 */
function plannedImages(roots: readonly Node[], planned: readonly Node[]): Map<Node, Node> {
  const pairs = new Map<Node, Node>();
  const stack: [Node, Node][] = roots.map((r, i) => [r, planned[i]!]);
  while (stack.length) {
    const [n, m] = stack.pop()!;
    if (pairs.has(n)) continue;
    pairs.set(n, m);
    if (n === m || n.realized !== null || n.op !== m.op || n.srcs.length !== m.srcs.length) continue;
    n.srcs.forEach((s, k) => stack.push([s, m.srcs[k]!]));
  }
  return pairs;
}

/**
 * The graph of a planned program. `roots`: as built; `planned`: as given to the planner (the same, or with
 * constants lifted); `plan`/`trace`: what the planner returned.
 */
export function programGraph(roots: readonly Node[], planned: readonly Node[], plan: ProgramPlan, trace: PlanTrace): ProgramGraph {
  const regions = programRegions(plan, trace, planned);
  // Where each simplified node came from: the node it simplified, preferring itself (sites are on built nodes).
  const built = toposort(roots, true);
  const lifted = plannedImages(roots, planned);
  const origin = new Map<Node, Node>();
  for (const n of built) {
    const p = lifted.get(n) ?? n;
    const m = trace.images.get(p) ?? p;
    if (!origin.has(m) || m === n) origin.set(m, n);
  }
  const sites: GraphSite[] = [];
  const siteIndex = new Map<RawSite, number>();
  const siteFor = (m: Node): { site: number; kind: SiteKind | null } => {
    const raw = siteOf(origin.get(m) ?? m) ?? siteOf(m);
    if (raw === undefined) return { site: -1, kind: null };
    let i = siteIndex.get(raw);
    if (i === undefined) {
      const s = resolveSite(raw);
      const from = Math.max(1, s.line - CONTEXT);
      const code = sourceLines(s.file, from, s.line + CONTEXT) ?? [];
      i = sites.push({ file: s.file, line: s.line, column: s.column, fn: s.fn, kind: s.kind, code, codeStart: from }) - 1;
      siteIndex.set(raw, i);
    }
    return { site: i, kind: raw.kind };
  };

  const nodes: GraphNode[] = [];
  const rootSet = new Set(regions.roots);
  const standalone = new Map<Node, number>();
  const writer = new Map<Node, number>();
  /** A node outside every kernel: an input (or a value no kernel computes, such as an empty one). */
  const outside = (m: Node): number => {
    let i = standalone.get(m);
    if (i === undefined) {
      const s = siteFor(m);
      i = nodes.push({
        op: m.op,
        label: isLiftedConstantsBuffer(m) ? 'constants' : m.op === 'buffer' || m.realized !== null ? 'input' : opText(m),
        dtype: m.dtype,
        shape: m.shape,
        srcs: [],
        consts: [],
        kernel: -1,
        output: rootSet.has(m),
        site: s.site,
        kind: 'input',
      }) - 1;
      standalone.set(m, i);
    }
    return i;
  };

  const kernels: GraphKernel[] = regions.kernels.map((r, k) => {
    const local = new Map<Node, number>();
    const members: number[] = [];
    const writes = new Set(r.writes);
    for (const m of r.nodes) {
      if (m.op === 'const' && !writes.has(m)) continue;
      const srcs: number[] = [];
      const consts: (string | null)[] = [];
      for (const s of m.srcs) {
        if (s.op === 'const') {
          srcs.push(-1);
          consts.push(literal(s.arg as Scalar, s.dtype));
          continue;
        }
        srcs.push(local.get(s) ?? writer.get(s) ?? outside(s));
        consts.push(null);
      }
      const s = siteFor(m);
      const i =
        nodes.push({
          op: m.op,
          label: opText(m),
          dtype: m.dtype,
          shape: m.shape,
          srcs,
          consts,
          kernel: k,
          output: writes.has(m) && rootSet.has(m),
          site: s.site,
          kind: s.kind ?? 'forward',
        }) - 1;
      local.set(m, i);
      members.push(i);
    }
    for (const w of r.writes) if (local.has(w)) writer.set(w, local.get(w)!);
    const pk = r.kernel as typeof r.kernel & { fn?: number; source?: string };
    const fns = (plan as ProgramPlan & { functions?: readonly { name: string; source: string }[] }).functions;
    const fn = fns && pk.fn !== undefined ? fns[pk.fn]! : { name: pk.name, source: pk.source ?? '' };
    return {
      name: pk.name,
      kind: pk.kind,
      dtype: pk.dtype,
      shape: pk.shape,
      ops: pk.ops,
      flops: pk.flops,
      bytes: pk.bytes,
      fn: fn.name,
      source: fn.source,
      nodes: members,
      writes: r.writes.map((w) => local.get(w)!).filter((i) => i !== undefined),
      reads: r.reads.map((m) => writer.get(m) ?? outside(m)),
      planIndex: r.index,
    };
  });
  // Results that no kernel computes (an input returned as it is, an empty value) are drawn too.
  for (const m of regions.roots) if (!writer.has(m) && m.op !== 'const') outside(m);
  return { nodes, kernels, sites, builtNodes: built.length };
}
