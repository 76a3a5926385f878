/**
 * GRAFT_DEBUG: 1 prints a line per realization (kernels, program cache hit, time), 2 adds a line per kernel
 * (name, shape, time, GFLOP/s, GB/s, percentage of this machine's roofline: runtime/roofline.ts), 3 prints
 * each new program's schedule, 4 its generated C. Written to stderr; the level is read at every realization
 * so it can be changed while running.
 */
import type { Program, KernelTiming } from './program.js';
import { machinePeaks, rooflinePercent } from './roofline.js';

export function debugLevel(): number {
  const v = Number.parseInt(process.env.GRAFT_DEBUG ?? '', 10);
  return Number.isInteger(v) && v > 0 ? v : 0;
}

const write = (s: string): void => {
  process.stderr.write(s + '\n');
};

export function logRealization(device: string, p: Program, hit: boolean, wasCompiled: boolean, ms: number): void {
  const n = p.plan.kernels.length;
  const how = hit ? 'program cache hit' : 'new program';
  const load = !wasCompiled && p.plan.kernels.length ? `, compiled/loaded in ${p.loadMs.toFixed(1)} ms` : '';
  write(`graft ${device}: ${n} kernel${n === 1 ? '' : 's'}, ${how}${load}, ${ms.toFixed(3)} ms`);
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
