/**
 * torch.ir.draw: the pending graph as DOT or SVG (Graphviz in WebAssembly), one cluster per kernel the planner
 * makes (`torch.ir.kernels` is the independent count), one node per fused op (its `ops` list) and per input.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

describe('torch.ir.draw', () => {
  torch.manualSeed(3);
  const x = torch.randn(6, 4);
  const w = torch.tensor([[0.5, -1, 0], [2, 1, 1], [0, 0, 1], [1, 1, 1]]);
  const y = x.matmul(w).softmax(1).sum(0);

  it('DOT: a cluster per kernel, a node per fused op and per input, edges labelled with types', async () => {
    const kernels = torch.ir.kernels(y);
    const dot = await torch.ir.draw(y, { format: 'dot' });
    expect(count(dot, /^subgraph cluster_\d+ \{$/gm)).toBe(kernels.length);
    const ops = kernels.reduce((s, k) => s + k.ops.length, 0);
    const nodes = count(dot, /^n\d+ \[id=/gm);
    // The inputs: the seed of randn's generator (int32[2]) and w; and the buffer of the constants that are
    // data (randn's 2*pi: compiler/lift-constants.ts), drawn as such.
    expect(nodes).toBe(ops + 3);
    expect(dot).toContain('label="constants\\nf64[1]"');
    expect(dot).toContain('label="input\\ni32[2]"');
    expect(dot).toContain('label="input\\nf32[4,3]"');
    expect(dot).toMatch(/-> n\d+ \[xlabel="f32\[6,3\]"\]/);
  });

  it('SVG: laid out by Graphviz, clusters and nodes as in the DOT', async () => {
    const dot = await torch.ir.draw(y, { format: 'dot' });
    const svg = await torch.ir.draw(y);
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    expect(count(svg, /<g id="k\d+" class="cluster kernel">/g)).toBe(count(dot, /^subgraph cluster_/gm));
    expect(count(svg, /<g id="n\d+" class="node/g)).toBe(count(dot, /^n\d+ \[id=/gm));
    // The value is still pending: drawing computes nothing.
    expect(torch.ir.print(y)).toContain('= exp');
  });

  it("view 'kernels' draws one box per kernel; a large graph collapses by itself", async () => {
    const kernels = torch.ir.kernels(y);
    const boxes = await torch.ir.draw(y, { format: 'dot', view: 'kernels' });
    expect(count(boxes, /^K\d+ \[id="k\d+" class="kernel/gm)).toBe(kernels.length);
    // A chain of 630 elementwise ops (kernels of at most MAX_FUSED ops: schedule/cost.ts): more than 600 nodes, so `auto` collapses.
    let big = x.clone().realize();
    for (let i = 0; i < 210; i++) big = big.mul(1.01).add(0.5).tanh();
    const auto = await torch.ir.draw(big, { format: 'dot' });
    const whole = await torch.ir.draw(big, { format: 'dot', view: 'nodes' });
    expect(count(whole, /^n\d+ \[id=/gm)).toBeGreaterThan(600);
    expect(auto).toMatch(/^digraph kernels \{/);
    expect(auto).not.toContain('subgraph cluster_');
    expect(count(auto, /^K\d+ \[/gm)).toBe(torch.ir.kernels(big).length);
  });

  it('a computed tensor is drawn as the input it is; bad arguments are errors', async () => {
    const done = torch.tensor([1, 2]).realize();
    const dot = await torch.ir.draw(done, { format: 'dot' });
    expect(count(dot, /^n\d+ \[id=/gm)).toBe(1);
    await expect(torch.ir.draw(y, { format: 'png' as 'svg' })).rejects.toThrow(/format must be 'svg' or 'dot', got 'png'/);
    await expect(torch.ir.draw(y, { view: 'all' as 'nodes' })).rejects.toThrow(torch.ValueError);
    await expect(torch.ir.draw(y, { fromat: 'dot' } as never)).rejects.toThrow(torch.ArgumentError);
    await expect(torch.ir.draw([] as torch.Tensor[])).rejects.toThrow(/expected a Tensor/);
  });
});
