/**
 * The program model behind drawings and reports: which nodes each kernel computes (checked against the ops
 * the planner lists for each kernel, `torch.ir.kernels`), recomputed nodes in every kernel that computes
 * them, and where nodes were built (checked against marked lines of this very file).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { pendingGraph } from '../../src/inspect/draw.js';
import { recordSites } from '../../src/inspect/sites.js';
import { Inspector } from '../../src/inspect/recorder.js';

const THIS_FILE = fileURLToPath(import.meta.url);
/** The line of this file carrying `marker` in a comment. */
function lineOf(marker: string): number {
  const i = readFileSync(THIS_FILE, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(`// ${marker}`));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

afterEach(() => {
  recordSites(false);
});

describe('program model', () => {
  it("each kernel's nodes are the ops the planner fused into it", () => {
    torch.manualSeed(0);
    const x = torch.randn(8, 5);
    const w = torch.randn(5, 3, { requiresGrad: true });
    const loss = x.matmul(w).logSoftmax(1).neg().mean();
    const [g] = torch.autograd.grad(loss, [w]);
    for (const t of [loss, g!]) {
      const planned = torch.ir.kernels(t);
      const graph = pendingGraph([t.node]);
      expect(graph.kernels.map((k) => k.name).sort()).toEqual(planned.map((k) => k.name).sort());
      for (const k of graph.kernels) {
        const ops = k.nodes.map((i) => graph.nodes[i]!.op).filter((op) => op !== 'const');
        expect(sorted(ops)).toEqual(sorted(planned.find((p) => p.name === k.name)!.ops));
      }
      // Inputs are outside every kernel; every edge from outside a kernel comes from an input or a value stored by another kernel.
      for (const [i, n] of graph.nodes.entries()) {
        if (n.kernel < 0) expect(n.kind).toBe('input');
        for (const s of n.srcs) {
          if (s < 0 || graph.nodes[s]!.kernel === n.kernel) continue;
          const from = graph.nodes[s]!;
          expect(from.kernel < 0 || graph.kernels[from.kernel]!.writes.includes(s), `edge ${s} -> ${i}`).toBe(true);
        }
      }
    }
  });

  it('a value recomputed by two kernels is a node in both', () => {
    const x = torch.tensor(Array.from({ length: 6 }, (_, i) => Array.from({ length: 7 }, (_, j) => i * 7 - j)));
    const a = x.mul(2); // cheap: recomputed rather than stored (2: a constant kept in the code)
    const rows = a.sum(1);
    const cols = a.amax(0);
    const graph = pendingGraph([rows.node, cols.node]);
    expect(graph.kernels.length).toBe(2);
    const muls = graph.nodes.filter((n) => n.op === 'mul');
    expect(muls.map((n) => n.kernel).sort()).toEqual([0, 1]);
    expect(muls.every((n) => n.consts.includes('2.0'))).toBe(true);
  });

  it('records the script line that built each node, and tells gradients and updates apart', () => {
    const inspector = new Inspector().install();
    try {
      recordSites(true);
      const w = torch.tensor([[0.5, -1], [2, 1]], { requiresGrad: true });
      const x = torch.tensor([[1, 2], [3, 4]]);
      const h = x.matmul(w).tanh(); // @site-forward
      const loss = h.pow(2).sum();
      loss.backward(); // @site-backward
      const opt = new torch.optim.SGD([w], { lr: 0.1, momentum: 0.5 });
      opt.step(); // @site-update
    } finally {
      inspector.uninstall();
      recordSites(false);
    }
    // One program: forward, backward and update, realized by the step.
    expect(inspector.programs.length).toBe(1);
    const r = inspector.programs[0]!;
    expect(r.realizedAt).toMatchObject({ file: THIS_FILE, line: lineOf('@site-update') });
    const g = r.graph;
    const lines = (kind: string): Set<number> => new Set(g.nodes.filter((n) => n.kind === kind).map((n) => g.sites[n.site]!.line));
    expect(g.nodes.some((n) => n.op === 'tanh' && n.kind === 'forward' && g.sites[n.site]!.line === lineOf('@site-forward'))).toBe(true);
    expect(lines('backward')).toEqual(new Set([lineOf('@site-backward')]));
    expect(lines('update')).toEqual(new Set([lineOf('@site-update')]));
    expect(g.sites.every((s) => s.file === THIS_FILE)).toBe(true);
    // The lines around each site are kept, for the report to show.
    const fwd = g.sites.find((s) => s.line === lineOf('@site-forward'))!;
    expect(fwd.code[fwd.line - fwd.codeStart]).toContain('x.matmul(w).tanh()');
  });

  it('records nothing while off', () => {
    const y = torch.tensor([1, 2]).exp();
    const g = pendingGraph([y.node]);
    expect(g.nodes.every((n) => n.site === -1)).toBe(true);
    expect(g.sites).toEqual([]);
  });
});
