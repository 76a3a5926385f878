/**
 * `graft inspect [--out DIR] [--max-nodes N] script.ts [args...]`: run a script and write a report of every
 * program it realized (DIR/index.html, self-contained: it opens offline with a double click).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve as resolvePath } from 'node:path';
import { buildReport, DEFAULT_MAX_NODES } from '../inspect/report.js';
import { reportHtml } from '../inspect/report-html.js';
import { loadViz, vizBrowserScript } from '../inspect/viz.js';
import { machinePeaks, type Peaks } from '../runtime/roofline.js';
import { threadCount } from '../runtime/cpu.js';
import { runCaptured, splitArgs, type Capture } from './capture.js';
import { UsageError, type Command } from './command.js';

/** This machine's peaks, or null where they cannot be measured (no C compiler): the report says so. */
export function peaksOrNull(threads: number): Peaks | null {
  try {
    return machinePeaks(threads);
  } catch {
    return null;
  }
}

/** Write the report of a finished capture into `out`; returns the page's path. */
export function writeReport(c: Capture, out: string, maxNodes: number): string {
  const threads = c.inspector.programs[0]?.threads ?? threadCount();
  const { data, svgs } = buildReport(c.inspector, {
    script: relative(process.cwd(), c.script) || c.script,
    args: c.args,
    startedAt: c.startedAt,
    wallMs: c.wallMs,
    peaks: peaksOrNull(threads),
    maxNodes,
    error: c.error,
  });
  mkdirSync(out, { recursive: true });
  const page = join(out, 'index.html');
  writeFileSync(page, reportHtml(data, svgs, vizBrowserScript()));
  return page;
}

export const inspectCommand: Command = {
  name: 'inspect',
  args: '<script.ts> [args...] [--out DIR]',
  summary: 'run a script and write an HTML report of the programs it ran: graphs, kernels, costs',
  usage: [
    'Usage: graft inspect [--out DIR] [--max-nodes N] <script.ts> [args...]',
    '',
    'Runs the script as `graft run` does and writes DIR/index.html (default: <script>-inspect/): for every',
    'distinct program the script realized, how often it ran, its IR graph (nodes clustered by the kernel',
    'computing them, gradient nodes told apart, each node linked to the script line that built it), and a',
    "kernel table (fused ops, FLOPs, bytes, median time, GFLOP/s, GB/s, % of this machine's roofline, the",
    'generated C). Graphs of more than N nodes (default 600) are drawn as one box per kernel.',
    '',
    "graft's options may come anywhere before `--`; everything after `--` goes to the script.",
    'A script that throws still gets its report, with the error and its line; the exit code is the script\'s.',
  ].join('\n'),
  async run(argv) {
    const { options, script, args } = splitArgs('inspect', argv, ['--out', '--max-nodes'], []);
    const maxNodes = options.has('--max-nodes') ? Number(options.get('--max-nodes')) : DEFAULT_MAX_NODES;
    if (!Number.isInteger(maxNodes) || maxNodes < 0) throw new UsageError(`graft inspect: --max-nodes needs a whole number, got '${options.get('--max-nodes')}'`);
    const out = resolvePath(options.get('--out') ?? `${basename(script).replace(/\.[cm]?[jt]s$/, '')}-inspect`);
    await loadViz(); // the report is written in the 'exit' event, where nothing asynchronous runs
    await runCaptured('inspect', script, args, (c) => {
      const t0 = performance.now();
      const page = writeReport(c, out, maxNodes);
      const kernels = c.inspector.programs.reduce((s, p) => s + p.graph.kernels.length, 0);
      const n = c.inspector.programs.length;
      process.stderr.write(
        `graft inspect: ${page} (${n} program${n === 1 ? '' : 's'}, ${kernels} kernel${kernels === 1 ? '' : 's'}; written in ${(performance.now() - t0).toFixed(0)} ms)\n`,
      );
    });
  },
};
