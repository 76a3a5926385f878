/**
 * The inspector: a program observer (runtime/observer.ts) that keeps, for every distinct program a script
 * realizes (by structural key), its graph as plain data (model.ts), its text form, how often it ran, each
 * kernel's times, and what compiling it cost. `graft inspect` turns this into a report, `graft ir` into text.
 */
import { digest, printGraph, type Node } from '../ir/index.js';
import { ccStats } from '../compiler/cc.js';
import type { PlanTrace } from '../compiler/compile.js';
import { libraryCacheStats } from '../runtime/kernel-cache.js';
import { programObserver, type ProgramObserver } from '../runtime/observer.js';
import type { KernelTiming, Program } from '../runtime/program.js';
import { programGraph, type GraphSite, type ProgramGraph } from './model.js';
import { currentSite, resolveSite, sourceLines } from './sites.js';

/** Lines of the text IR kept per program (a graph of 100k nodes prints 100k lines). */
export const TEXT_LINES = 5000;
/** Timing samples kept per kernel (the median of the first ones is as good as of all). */
const MAX_SAMPLES = 10_000;

export interface ProgramRecord {
  /** 1, 2, ... in the order programs were first planned. */
  readonly id: number;
  /** A digest of the structural key (the key itself can be megabytes long). */
  readonly key: string;
  readonly graph: ProgramGraph;
  /** The graph as built, in graft's jaxpr-like text (its first TEXT_LINES lines). */
  readonly text: string;
  readonly textLines: number;
  readonly planMs: number;
  readonly threads: number;
  /** Where in the script it was first realized (the call that needed the values), when known. */
  readonly realizedAt: GraphSite | null;
  runs: number;
  /** Runs that found the program in the program cache. */
  hits: number;
  /** Milliseconds to compile (or load from the disk cache) the program's code, at its first run. */
  loadMs: number;
  /** Objects compiled for it, and found in the disk cache instead (C compiler runs saved). */
  compiled: number;
  diskHits: number;
  /** Its code was already loaded in this process (another program of the same source). */
  libraryHits: number;
  /** Per kernel (graph order = run order), the nanoseconds of each call. */
  readonly kernelNs: number[][];
  /** Per run, milliseconds of the whole realization (key, lookup, kernels, JS around them). */
  readonly wallMs: number[];
}

interface Counters {
  compiles: number;
  hits: number;
  libHits: number;
}

const counters = (): Counters => ({ compiles: ccStats.compiles, hits: ccStats.hits, libHits: libraryCacheStats.hits });

export class Inspector implements ProgramObserver {
  readonly programs: ProgramRecord[] = [];
  private readonly byProgram = new WeakMap<Program, ProgramRecord>();
  private readonly byKey = new Map<string, ProgramRecord>();
  private last: Counters = counters();
  /** Kernel time and realization time over every run, in milliseconds. */
  kernelMs = 0;
  realizeMs = 0;
  private failed = false;

  planned(program: Program, roots: readonly Node[], plannedRoots: readonly Node[], trace: PlanTrace, ms: number): void {
    const key = digest(program.key);
    // The same structure planned again (the program cache dropped it): one program, more runs.
    const known = this.byKey.get(key);
    if (known) {
      this.byProgram.set(program, known);
      return;
    }
    let graph: ProgramGraph;
    try {
      graph = programGraph(roots, plannedRoots, program.plan, trace);
    } catch (e) {
      // Inspection must never break the program it watches: say so once and leave this program out.
      if (!this.failed) process.stderr.write(`graft: inspection could not model a program and leaves it out: ${(e as Error).stack ?? String(e)}\n`);
      this.failed = true;
      return;
    }
    const lines = printGraph(roots).split('\n');
    const site = currentSite();
    let realizedAt: GraphSite | null = null;
    if (site) {
      const s = resolveSite(site);
      realizedAt = { ...s, code: sourceLines(s.file, s.line, s.line) ?? [], codeStart: s.line };
    }
    const record: ProgramRecord = {
      id: this.programs.length + 1,
      key,
      graph,
      text: lines.slice(0, TEXT_LINES).join('\n'),
      textLines: lines.length,
      planMs: ms,
      threads: program.plan.threads,
      realizedAt,
      runs: 0,
      hits: 0,
      loadMs: 0,
      compiled: 0,
      diskHits: 0,
      libraryHits: 0,
      kernelNs: graph.kernels.map(() => []),
      wallMs: [],
    };
    this.programs.push(record);
    this.byKey.set(key, record);
    this.byProgram.set(program, record);
  }

  ran(program: Program, hit: boolean, loaded: boolean, timings: readonly KernelTiming[], ms: number): void {
    const now = counters();
    const r = this.byProgram.get(program);
    if (r) {
      r.runs++;
      if (hit) r.hits++;
      if (!loaded) {
        r.loadMs += program.loadMs;
        r.compiled += now.compiles - this.last.compiles;
        r.diskHits += now.hits - this.last.hits;
        r.libraryHits += now.libHits - this.last.libHits;
      }
      if (r.wallMs.length < MAX_SAMPLES) r.wallMs.push(ms);
      // Timings come one per kernel call, in run order: the graph's kernel order.
      timings.forEach((t, i) => {
        const samples = r.kernelNs[i];
        if (samples && samples.length < MAX_SAMPLES) samples.push(t.ns);
      });
    }
    for (const t of timings) this.kernelMs += t.ns / 1e6;
    this.realizeMs += ms;
    this.last = now;
  }

  /** Start observing the cpu device (replacing any other observer). */
  install(): this {
    this.last = counters();
    programObserver.current = this;
    return this;
  }

  /** Stop observing. */
  uninstall(): void {
    if (programObserver.current === this) programObserver.current = null;
  }
}

/** The median of some numbers (0 for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
