import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Progress } from '../../src/utils/progress.js';
import { lineChart, chartRow } from '../../src/utils/plot.js';

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let buf = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      buf += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream: w, text: () => buf };
}

describe('Progress (plain mode, as in CI logs)', () => {
  it('prints a line every `every` steps and a final line with the fields', () => {
    const s = sink();
    const p = new Progress({ total: 10, label: 'epoch 1/2', stream: s.stream, plain: true, every: 4 });
    for (let i = 0; i < 10; i++) p.update({ loss: 1 / (i + 1), acc: 0.5 });
    p.stop({ 'samples/s': 1234.5 });
    const lines = s.text().trim().split('\n');
    expect(lines).toEqual([
      'epoch 1/2 4/10 | loss 0.2500 | acc 0.5000',
      'epoch 1/2 8/10 | loss 0.1250 | acc 0.5000',
      'epoch 1/2 10/10 | loss 0.1000 | acc 0.5000 | samples/s 1235',
    ]);
  });
});

describe('SVG charts', () => {
  it('draws one path per series, labels and escapes user text', () => {
    const svg = lineChart({ title: 'loss <train>', xLabel: 'step', series: [{ name: 'a&b', y: [3, 2, 1.5, 1] }, { name: 'test', y: [2.5, 2] }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)!.length).toBe(2);
    expect(svg).toContain('loss &lt;train&gt;');
    expect(svg).toContain('a&amp;b');
    expect(svg).not.toContain('<train>');
    // the first series starts at the left edge and goes down (SVG y grows downwards)
    const d = /<path d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)/.exec(svg)!;
    expect(Number(d[3])).toBeGreaterThan(Number(d[1]));
    expect(Number(d[4])).toBeGreaterThan(Number(d[2]));
  });
  it('puts charts side by side', () => {
    const svg = chartRow([{ series: [{ name: 'loss', y: [1, 0.5] }] }, { series: [{ name: 'acc', y: [0.5, 0.9] }] }]);
    expect(svg.match(/<g transform="translate\(/g)!.length).toBe(2);
    expect(svg).toContain('width="960"');
  });
});
