/**
 * The report's data and page: a graph of 100k nodes is collapsed, says so, and is written without laying
 * out anything that large; user text is escaped; the data survives its trip through the page's JSON.
 */
import { describe, expect, it } from 'vitest';
import type { GraphKernel, GraphNode, ProgramGraph } from '../../src/inspect/model.js';
import type { ProgramRecord } from '../../src/inspect/recorder.js';
import { Inspector } from '../../src/inspect/recorder.js';
import { buildReport, BROWSER_NODES, MAX_KERNEL_BOXES } from '../../src/inspect/report.js';
import { escapeHtml, reportHtml, scriptJson } from '../../src/inspect/report-html.js';
import { loadViz } from '../../src/inspect/viz.js';

/** A synthetic program: `kernels` chains of `per` elementwise nodes reading one input. */
function chainGraph(kernels: number, per: number): ProgramGraph {
  const nodes: GraphNode[] = [{ op: 'buffer', label: 'input', dtype: 'float32', shape: [8], srcs: [], consts: [], kernel: -1, output: false, site: -1, kind: 'input' }];
  const ks: GraphKernel[] = [];
  for (let k = 0; k < kernels; k++) {
    const members: number[] = [];
    let prev = k === 0 ? 0 : ks[k - 1]!.writes[0]!;
    for (let j = 0; j < per; j++) {
      const i = nodes.push({ op: 'exp', label: 'exp', dtype: 'float32', shape: [8], srcs: [prev], consts: [null], kernel: k, output: k === kernels - 1 && j === per - 1, site: -1, kind: 'forward' }) - 1;
      members.push(i);
      prev = i;
    }
    ks.push({ name: `k${k}`, kind: 'loops', dtype: 'float32', shape: [8], ops: members.map(() => 'exp'), flops: 8 * per, bytes: 64, fn: `k${k}`, source: `int k${k}(void **bufs) { return 0; }`, nodes: members, writes: [members[per - 1]!], reads: [k === 0 ? 0 : ks[k - 1]!.writes[0]!], planIndex: k });
  }
  return { nodes, kernels: ks, sites: [], builtNodes: nodes.length };
}

function recordOf(graph: ProgramGraph): ProgramRecord {
  return {
    id: 1,
    key: '0123456789abcdef',
    graph,
    text: '{ lambda a:f32[8]. let\n  in (a) }',
    textLines: 2,
    planMs: 1,
    threads: 2,
    realizedAt: null,
    runs: 3,
    hits: 2,
    loadMs: 10,
    compiled: 1,
    diskHits: 0,
    libraryHits: 0,
    kernelNs: graph.kernels.map(() => [3000, 1000, 2000]),
    wallMs: [5, 4, 6],
  };
}

const opts = { script: 'big.ts', args: [], startedAt: new Date(0), wallMs: 100, peaks: { copyGBs: 10, fma32GFlops: 100, fma64GFlops: 50, threads: 2 }, error: null };

describe('inspection report', () => {
  it('collapses a graph of 100k nodes, says so, and writes the page without drawing it', async () => {
    await loadViz();
    const inspector = new Inspector();
    inspector.programs.push(recordOf(chainGraph(2000, 50))); // 100,001 nodes in 2000 kernels
    const { data, svgs } = buildReport(inspector, opts);
    const p = data.programs[0]!;
    expect(p.nodeCount).toBe(100_001);
    expect(svgs[0]).toEqual({ nodes: null, kernels: null }); // nothing that large is laid out
    expect(p.collapsed).toBe(`100001 nodes in 2000 kernels: too many to draw (more than ${MAX_KERNEL_BOXES} kernels); the kernel table lists them, and selecting one draws its nodes.`);
    expect(p.nodesDot).toBeNull(); // more than BROWSER_NODES: not even offered to the page
    expect(p.kernels.length).toBe(2000);
    expect(p.kernels[0]!.dot).toMatch(/^digraph kernel \{/); // each kernel can still be drawn, in the page
    const html = reportHtml(data, svgs, '/* graphviz */');
    expect(html).toContain('too many to draw');
    expect(html.match(/<tr data-kernel="/g)!.length).toBe(2000);
  });

  it('a graph past --max-nodes is drawn as boxes, one per kernel', async () => {
    await loadViz();
    const inspector = new Inspector();
    inspector.programs.push(recordOf(chainGraph(12, 30)));
    const { data, svgs } = buildReport(inspector, { ...opts, maxNodes: 100 });
    expect(svgs[0]!.nodes).toBeNull();
    expect(svgs[0]!.kernels!.match(/class="node kernel/g)!.length).toBe(12);
    expect(data.programs[0]!.collapsed).toContain('361 nodes (more than 100): collapsed to one box per kernel');
    expect(data.programs[0]!.nodesDot).not.toBeNull(); // 361 <= BROWSER_NODES: the page may draw them all
    expect(BROWSER_NODES).toBeGreaterThan(361);
    // Timings: the median of 3000, 1000, 2000 ns; 240 flops in 2 µs; the roofline is bandwidth-bound here:
    // 64 bytes at 10 GB/s take 6.4 ns, 240 flops at 100 GFLOP/s 2.4 ns: 6.4 / 2000 = 0.32%.
    const k = data.programs[0]!.kernels[0]!;
    expect(k.stats.medianNs).toBe(2000);
    expect(k.stats.gflops).toBeCloseTo(0.12, 12);
    expect(k.stats.roofline).toBeCloseTo(0.32, 12);
  });

  it('escapes user text and keeps the embedded data intact', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    const tricky = { s: '</script><script>alert(1)</script>', t: 'a\u2028b<!--' };
    const text = scriptJson(tricky);
    expect(text).not.toContain('</script');
    expect(text).not.toContain('<!--');
    expect(JSON.parse(text)).toEqual(tricky);
  });
});
