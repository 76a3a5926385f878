/**
 * GRAFT_DEBUG: 1 prints a line per realization (kernels, program cache hit, time), 2 adds a line per kernel
 * (name, shape, time, GFLOP/s, GB/s, percentage of this machine's roofline: runtime/roofline.ts), 3 prints
 * each new program's schedule, 4 its generated C. Written to stderr; the level is read at every realization
 * so it can be changed while running. At level 1, large work is never silent: a large graph is announced
 * before planning, a compile of several functions before it starts (src/runtime/program.ts), and a new
 * program that was slow to make or has many kernels gets a line saying where the time went.
 */
import type { Program, KernelTiming } from './program.js';
import { machinePeaks, rooflinePercent } from './roofline.js';

let level = 0;
let readAt = -Infinity;
let calls = 0;

/**
 * GRAFT_DEBUG, read again at most every 10 ms or every 64 calls (a process.env lookup costs about a
 * microsecond), so a change while running takes effect at once in practice.
 */
export function debugLevel(): number {
  const now = performance.now();
  if (now - readAt > 10 || ++calls >= 64) {
    readAt = now;
    calls = 0;
    const v = Number.parseInt(process.env.GRAFT_DEBUG ?? '', 10);
    level = Number.isInteger(v) && v > 0 ? v : 0;
  }
  return level;
}

const write = (s: string): void => {
  process.stderr.write(s + '\n');
};

export function logLine(s: string): void {
  write(s);
}

/** A count with thousands separators. */
export const count = (n: number): string => n.toLocaleString('en-US');

const sec = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`);

/** Programs whose planning or compiling took this long get a line saying where the time went. */
const SLOW_MS = 1000;
/** ... and so do programs of this many kernels. */
const MANY_KERNELS = 1000;
/** Graphs of this many nodes are announced before planning, and explained after it. */
export const LARGE_GRAPH = 20_000;

export function logRealization(device: string, p: Program, hit: boolean, wasCompiled: boolean, ms: number): void {
  const n = p.plan.kernels.length;
  const how = hit ? 'program cache hit' : p.origin?.kind === 'disk' ? 'new program, plan from disk' : 'new program';
  const load = !wasCompiled && p.plan.kernels.length ? `, compiled/loaded in ${p.loadMs.toFixed(1)} ms` : '';
  write(`graft ${device}: ${n} kernel${n === 1 ? '' : 's'}, ${how}${load}, ${ms.toFixed(3)} ms`);
  const o = p.origin;
  if (hit || wasCompiled || o === null) return;
  if (o.ms < SLOW_MS && p.loadMs < SLOW_MS && n < MANY_KERNELS && (o.kind === 'disk' || o.report.nodes < LARGE_GRAPH)) return;
  const made =
    o.kind === 'disk'
      ? `plan read from disk in ${sec(o.ms)}`
      : `${count(o.report.nodes)} nodes -> ${count(o.report.materialized)} values -> ${count(n)} kernels, planned in ${sec(o.ms)} ` +
        `(simplify ${sec(o.report.ms.simplify)}, schedule and lower ${sec(o.report.ms.schedule)}, group ${sec(o.report.ms.group)}, ` +
        `assemble and render ${sec(o.report.ms.assemble)})`;
  const built = `${p.loadReport.functions} distinct functions, ${p.loadReport.compiled} compiled now, loaded in ${sec(p.loadMs)}`;
  write(`graft ${device}: large program: ${made}; ${built}`);
}

/** A line per kernel call; `threads`: the program's OpenMP threads (the roofline is this machine's at that count). */
export function logKernels(timings: readonly KernelTiming[], threads: number): void {
  const peaks = timings.length ? machinePeaks(threads) : null;
  for (const { kernel: k, ns } of timings) {
    const pct = rooflinePercent(k, ns, peaks!);
    const s = ns / 1e9;
    const gflops = k.flops / s / 1e9;
    const gbs = k.bytes / s / 1e9;
    write(
      `  ${k.name.padEnd(5)} ${k.kind.padEnd(7)} ${k.dtype}[${k.shape.join(',')}] ${(ns / 1e3).toFixed(1).padStart(9)} us ` +
        `${gflops.toFixed(2).padStart(8)} GFLOP/s ${gbs.toFixed(2).padStart(7)} GB/s ${pct === null ? '    -' : pct.toFixed(1).padStart(5)}% of roofline`,
    );
  }
}

export function logSource(source: string): void {
  write(source);
}
