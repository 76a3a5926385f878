/**
 * `graft inspect`: the report of a small training script, opened in headless Chromium (Debian's chromium,
 * driven by playwright-core; skipped, saying why, where no chromium is installed). What the page shows is
 * checked against the compiler's own account of each program (GRAFT_DEBUG=3 prints every new program's
 * kernels, the buffers they read and the ops they fuse), not against the report's data. A screenshot is
 * written to test-results/inspect-report.png.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGraft, type GraftRun } from './graft.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'test-results', 'inspect-report.png');
const dir = mkdtempSync(join(tmpdir(), 'graft-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const graft = (args: string[], env: Record<string, string> = {}): Promise<GraftRun> => runGraft(dir, args, { timeout: 120_000, env });


const TRAIN = [
  "import * as torch from 'graft';",
  'const { nn } = torch;',
  'torch.manualSeed(0);',
  'const net = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));',
  'const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });',
  'const x = torch.randn(16, 4);',
  'const y = torch.randint(0, 3, [16]);',
  'for (let step = 0; step < 3; step++) {',
  '  opt.zeroGrad();',
  '  const loss = nn.functional.crossEntropy(net.call(x) as torch.Tensor, y);', // line 10
  '  loss.backward();',
  '  opt.step();',
  '  console.log(`step ${step} loss ${loss.item().toFixed(4)}`);',
  '}',
];

/** The compiler's account of each new program (GRAFT_DEBUG=3): kernels, ops fused, inputs read. */
interface Schedule {
  kernels: number;
  ops: number;
  inputs: Set<string>;
}
function schedules(stderr: string): Schedule[] {
  const out: Schedule[] = [];
  for (const line of stderr.split('\n')) {
    if (/^program: \d+ kernels?/.test(line)) out.push({ kernels: 0, ops: 0, inputs: new Set() });
    const k = /^ {2}k\d+ \S+ \S+ <- (.*?) fuses (.*)$/.exec(line);
    if (k && out.length) {
      const s = out[out.length - 1]!;
      s.kernels++;
      s.ops += k[2]!.trim().split(/\s+/).length;
      // Inputs (in2) and blocks of inputs read as buffers of their own (in2+6): each is drawn as a node.
      for (const slot of k[1]!.split(' ')) if (/^in\d+(\+\d+)?$/.test(slot)) s.inputs.add(slot);
    }
  }
  return out;
}

describe('graft inspect', () => {
  let run: GraftRun;
  beforeAll(async () => {
    writeFileSync(join(dir, 'train.ts'), TRAIN.join('\n') + '\n');
    run = await graft(['inspect', 'train.ts', '--out', 'report'], { GRAFT_DEBUG: '3' });
  });

  it('runs the script and writes a self-contained report', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^step 0 loss [\d.]+\nstep 1 loss [\d.]+\nstep 2 loss [\d.]+\n$/);
    expect(run.stderr).toMatch(/graft inspect: .*report[/\\]index\.html \(3 programs, \d+ kernels/);
    const html = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
    // Offline: nothing is loaded from anywhere (no src=/href= to another document or site).
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it.skipIf(!existsSync(CHROMIUM))(`opens in headless Chromium: one cluster per kernel, a row per kernel, sources on a click${existsSync(CHROMIUM) ? '' : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`, async () => {
    const { chromium } = await import('playwright-core');
    // playwright gives every launch a new, empty profile of its own (it refuses a --user-data-dir flag).
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto('file://' + join(dir, 'report', 'index.html'));

      const truth = schedules(run.stderr);
      expect(truth.length).toBe(3);
      const sections = await page.$$eval('section.program', (ss) => ss.map((s) => s.id));
      expect(sections).toEqual(['program-1', 'program-2', 'program-3']);
      for (let p = 0; p < 3; p++) {
        const t = truth[p]!;
        const shown = await page.$eval(`#program-${p + 1}`, (s) => ({
          clusters: s.querySelectorAll('.graph[data-view="nodes"] svg g.cluster').length,
          nodes: s.querySelectorAll('.graph[data-view="nodes"] svg g.node').length,
          boxes: s.querySelectorAll('.graph[data-view="kernels"] svg g.node.kernel').length,
          rows: s.querySelectorAll('table.kernels tbody tr').length,
        }));
        expect(shown.clusters).toBe(t.kernels);
        expect(shown.boxes).toBe(t.kernels);
        expect(shown.rows).toBe(t.kernels);
        // Every fused op is a node in its kernel's cluster; the inputs the kernels read are drawn outside.
        expect(shown.nodes).toBe(t.ops + t.inputs.size);
      }

      // The training step: gradient nodes (built by loss.backward(), line 11) and updates (opt.step(), line 12).
      const kinds = await page.$eval('#program-2', (s) => ({
        backward: s.querySelectorAll('.graph[data-view="nodes"] g.node-backward').length,
        update: s.querySelectorAll('.graph[data-view="nodes"] g.node-update').length,
        forward: s.querySelectorAll('.graph[data-view="nodes"] g.node-forward').length,
      }));
      expect(kinds.backward).toBeGreaterThan(0);
      expect(kinds.update).toBeGreaterThan(0);
      expect(kinds.forward).toBeGreaterThan(0);

      // Clicking a kernel's row shows its C source and draws its nodes.
      await page.click('#program-2 table.kernels tbody tr[data-kernel="0"]');
      const source = await page.textContent('#program-2 .detail pre.source');
      expect(source).toMatch(/^int k_[0-9a-f]{20}\(void \*\*restrict bufs\) \{/);
      await page.waitForSelector('#program-2 .detail .subgraph svg g.cluster');

      // Clicking a node of the cross-entropy shows the script line that built it.
      const nodeId = await page.$eval('#program-2 .graph[data-view="nodes"]', (g) => {
        const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document;
        const data = JSON.parse(doc.getElementById('graft-data').textContent) as { programs: { nodes: { op: string; site: number }[]; sites: { line: number }[] }[] };
        const p = data.programs[1]!;
        const i = p.nodes.findIndex((n) => n.op === 'exp' && n.site >= 0 && p.sites[n.site]!.line === 10);
        return g.querySelector(`g[id="p2-n${i}"]`) ? `p2-n${i}` : null;
      });
      expect(nodeId).not.toBeNull();
      await page.click(`#program-2 .graph[data-view="nodes"] g[id="${nodeId}"]`);
      const detail = await page.textContent('#program-2 .detail');
      expect(detail).toContain(`${join(dir, 'train.ts')}:10:`);
      expect(await page.textContent('#program-2 .detail pre.code .hit')).toContain('nn.functional.crossEntropy(net.call(x)');

      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('reports a script that throws: what ran before, the error and its line; exit code 1', async () => {
    writeFileSync(
      join(dir, 'throws.ts'),
      [
        "import * as torch from 'graft';",
        'const a = torch.ones(2, 3).mul(2);',
        'console.log(a.sum().item());',
        'const b = torch.ones(4, 5);',
        'a.matmul(b); // line 5: shapes do not fit',
      ].join('\n') + '\n',
    );
    const r = await graft(['inspect', '--out', 'failed', 'throws.ts']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('12\n');
    expect(r.stderr).toContain('ShapeError');
    const html = readFileSync(join(dir, 'failed', 'index.html'), 'utf8');
    expect(html).toContain('<section id="error" class="error">');
    expect(html).toContain('<b>ShapeError</b>');
    expect(html).toContain(`${join(dir, 'throws.ts')}:5:`);
    expect(html).toContain('a.matmul(b); // line 5: shapes do not fit');
    expect(html).toContain('id="program-1"'); // the sum computed before the error
  });

  it('escapes the names it shows (a script called <b>.ts)', async () => {
    writeFileSync(join(dir, '<b>&.ts'), "import * as torch from 'graft';\nconsole.log(torch.ones(2).sum().item());\n");
    const r = await graft(['inspect', '--out', 'escaped', '<b>&.ts', '<i>']);
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'escaped', 'index.html'), 'utf8');
    expect(html).toContain('&lt;b&gt;&amp;.ts');
    expect(html).toContain('&lt;i&gt;');
    expect(html).not.toContain('<b>&.ts');
    expect(html).not.toContain('<i>');
  });

  it('explains its usage', async () => {
    const r = await graft(['inspect']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('graft inspect: missing script');
    const help = await graft(['inspect', '--help']);
    expect(help.stdout).toContain('Usage: graft inspect [--out DIR] [--max-nodes N] <script.ts> [args...]');
  });
});
