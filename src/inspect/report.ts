/**
 * The data of an inspection report: every program the script realized with its drawings and kernel
 * statistics, the machine's roofline, the totals, and the error the script ended with. `reportHtml`
 * (report-html.ts) turns it into the page.
 *
 * What is drawn when (so that a large graph stays usable and never hangs the report): the graph with every
 * node, clustered by kernel, when it has at most `maxNodes` nodes; otherwise it is collapsed to one box per
 * kernel (the page draws a kernel's nodes when it is selected, and all of them on request up to
 * BROWSER_NODES); the collapsed view itself is drawn up to MAX_KERNEL_BOXES kernels (beyond, the kernel
 * table is the view).
 */
import type { Peaks } from '../runtime/roofline.js';
import { rooflinePercent } from '../runtime/roofline.js';
import { kernelDot, kernelsDot, nodesDot } from './dot.js';
import type { GraphNode, GraphSite } from './model.js';
import { median, type Inspector, type ProgramRecord } from './recorder.js';
import { renderSvg } from './viz.js';

/** Graphs up to this many nodes are drawn whole by default (`--max-nodes`). */
export const DEFAULT_MAX_NODES = 600;
/** The collapsed view (a box per kernel) is drawn up to this many kernels. */
export const MAX_KERNEL_BOXES = 300;
/** A kernel's own drawing is offered up to this many nodes. */
export const MAX_KERNEL_NODES = 600;
/** "Draw all nodes" is offered in the page up to this many nodes (layout time grows faster than the graph). */
export const BROWSER_NODES = 3000;
/** Node details kept in the page per program. */
export const MAX_NODE_DATA = 50_000;

export interface KernelStats {
  readonly calls: number;
  readonly medianNs: number;
  readonly gflops: number;
  readonly gbs: number;
  /** Percentage of the roofline (null when not measured or the kernel does nothing). */
  readonly roofline: number | null;
}

export interface ProgramView {
  readonly id: number;
  readonly key: string;
  readonly runs: number;
  readonly hits: number;
  readonly planMs: number;
  readonly loadMs: number;
  readonly compiled: number;
  readonly diskHits: number;
  readonly libraryHits: number;
  readonly threads: number;
  readonly realizedAt: GraphSite | null;
  readonly builtNodes: number;
  readonly nodeCount: number;
  readonly nodes: readonly GraphNode[];
  readonly kernels: readonly (ReturnType<typeof kernelView>)[];
  readonly sites: readonly GraphSite[];
  readonly text: string;
  readonly textLines: number;
  readonly medianWallMs: number;
  readonly medianKernelMs: number;
  /** Whether the whole graph was drawn, or collapsed (and why). */
  readonly collapsed: string | null;
  /** DOT of the whole graph, for the page to draw on request (null beyond BROWSER_NODES). */
  readonly nodesDot: string | null;
}

export interface ScriptError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  readonly site: GraphSite | null;
}

export interface ReportData {
  readonly script: string;
  readonly args: readonly string[];
  readonly startedAt: string;
  readonly wallMs: number;
  readonly realizeMs: number;
  readonly kernelMs: number;
  readonly peaks: Peaks | null;
  readonly node: string;
  readonly maxNodes: number;
  readonly error: ScriptError | null;
  readonly programs: readonly ProgramView[];
}

/** The pre-drawn SVG of each program (not part of the JSON: written into the page as markup). */
export interface ProgramSvgs {
  readonly kernels: string | null;
  readonly nodes: string | null;
}

function kernelView(r: ProgramRecord, ki: number, peaks: Peaks | null) {
  const k = r.graph.kernels[ki]!;
  const samples = r.kernelNs[ki] ?? [];
  const ns = median(samples);
  const stats: KernelStats = {
    calls: samples.length,
    medianNs: ns,
    gflops: ns > 0 ? k.flops / ns : 0,
    gbs: ns > 0 ? k.bytes / ns : 0,
    roofline: peaks && ns > 0 ? rooflinePercent(k, ns, peaks) : null,
  };
  const dot = k.nodes.length <= MAX_KERNEL_NODES ? kernelDot(r.graph, ki, `p${r.id}-`) : null;
  return { ...k, stats, dot };
}

export interface ReportOptions {
  readonly script: string;
  readonly args: readonly string[];
  readonly startedAt: Date;
  readonly wallMs: number;
  readonly peaks: Peaks | null;
  readonly maxNodes?: number;
  readonly error: ScriptError | null;
}

/** The report's data and drawings. Needs Graphviz loaded (`loadViz`). */
export function buildReport(inspector: Inspector, opts: ReportOptions): { data: ReportData; svgs: ProgramSvgs[] } {
  const maxNodes = opts.maxNodes ?? DEFAULT_MAX_NODES;
  const svgs: ProgramSvgs[] = [];
  const programs = inspector.programs.map((r): ProgramView => {
    const g = r.graph;
    const prefix = `p${r.id}-`;
    const n = g.nodes.length;
    const whole = n <= maxNodes;
    const boxes = g.kernels.length <= MAX_KERNEL_BOXES;
    svgs.push({
      nodes: whole ? renderSvg(nodesDot(g, prefix)) : null,
      kernels: boxes ? renderSvg(kernelsDot(g, prefix)) : null,
    });
    const kernels = g.kernels.map((_, ki) => kernelView(r, ki, opts.peaks));
    let collapsed: string | null = null;
    if (!whole) {
      collapsed = boxes
        ? `${n} nodes (more than ${maxNodes}): collapsed to one box per kernel; select a kernel to draw its nodes.`
        : `${n} nodes in ${g.kernels.length} kernels: too many to draw (more than ${MAX_KERNEL_BOXES} kernels); the kernel table lists them, and selecting one draws its nodes.`;
    }
    return {
      id: r.id,
      key: r.key,
      runs: r.runs,
      hits: r.hits,
      planMs: r.planMs,
      loadMs: r.loadMs,
      compiled: r.compiled,
      diskHits: r.diskHits,
      libraryHits: r.libraryHits,
      threads: r.threads,
      realizedAt: r.realizedAt,
      builtNodes: g.builtNodes,
      nodeCount: n,
      nodes: g.nodes.slice(0, MAX_NODE_DATA),
      kernels,
      sites: g.sites,
      text: r.text,
      textLines: r.textLines,
      medianWallMs: median(r.wallMs),
      medianKernelMs: kernels.reduce((s, k) => s + k.stats.medianNs, 0) / 1e6,
      collapsed,
      nodesDot: !whole && n <= BROWSER_NODES ? nodesDot(g, prefix) : null,
    };
  });
  const data: ReportData = {
    script: opts.script,
    args: opts.args,
    startedAt: opts.startedAt.toISOString(),
    wallMs: opts.wallMs,
    realizeMs: inspector.realizeMs,
    kernelMs: inspector.kernelMs,
    peaks: opts.peaks,
    node: process.version,
    maxNodes,
    error: opts.error,
    programs,
  };
  return { data, svgs };
}
