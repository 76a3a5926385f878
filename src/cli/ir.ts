/**
 * `graft ir [--no-timings] script.ts [args...]`: run a script and print, for every program it realized, the
 * IR (jaxpr-like text) and the kernel table, in the terminal. Colours on a terminal only.
 */
import { relative } from 'node:path';
import { inspectionText, wantsColor } from '../inspect/terminal.js';
import { runCaptured, splitArgs } from './capture.js';
import type { Command } from './command.js';
import { peaksOrNull } from './inspect.js';

export const irCommand: Command = {
  name: 'ir',
  args: '<script.ts> [args...]',
  summary: 'run a script and print the IR and kernel table of every program it ran',
  usage: [
    'Usage: graft ir [--no-timings] <script.ts> [args...]',
    '',
    'Runs the script as `graft run` does; when it ends, prints each distinct program it realized: the IR as',
    'built (jaxpr-like text) and its kernels (kind, type, FLOPs, bytes, fused ops, and measured: median time,',
    "GFLOP/s, GB/s, % of this machine's roofline). --no-timings leaves out what was measured, so the output",
    'is the same on every run. Colours only on a terminal (NO_COLOR turns them off).',
    '',
    "graft's options may come anywhere before `--`; everything after `--` goes to the script.",
  ].join('\n'),
  async run(argv) {
    const { options, script, args } = splitArgs('ir', argv, [], ['--no-timings']);
    const timings = !options.has('--no-timings');
    await runCaptured('ir', script, args, (c) => {
      const programs = c.inspector.programs;
      const peaks = timings ? peaksOrNull(programs[0]?.threads ?? 1) : null;
      const text = inspectionText(
        programs,
        { color: wantsColor(process.stdout), timings, peaks, cwd: process.cwd() },
        { wallMs: c.wallMs, kernelMs: c.inspector.kernelMs },
      );
      process.stdout.write(`graft ir: ${relative(process.cwd(), c.script) || c.script}\n\n${text}`);
    });
  },
};
