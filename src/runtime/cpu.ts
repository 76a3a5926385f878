/**
 * The `cpu` device: graphs compiled to C. Realizing roots costs, on a program-cache hit, the structural key
 * of the graph (a walk), a map lookup and the kernel calls: scheduling, lowering, rendering and compiling
 * are skipped. On a miss the compiler plans the program, which is compiled (or fetched from the disk cache)
 * and kept under the key: buffers are parameters, so step 2 of a training loop finds step 1's program.
 */
import { dropLeastRecent } from './program-cache.js';
import { availableParallelism } from 'node:os';
import { IndexError, sameCode, structuralKey, toposort, ZeroDivisionError, type DType, type Node, type TypedArray } from '../ir/index.js';
import { planProgram } from '../compiler/compile.js';
import { liftConstants } from '../compiler/lift-constants.js';
import { Buffer } from './buffer.js';
import { count, debugLevel, LARGE_GRAPH, logKernels, logLine, logRealization, logSource } from './debug.js';
import { planDigest, readPlan, writePlan } from '../compiler/cache/plan-cache.js';
import type { ExecuteInfo } from './device.js';
import { HostDevice } from './host-device.js';
import { interpret } from './interp.js';
import { programObserver } from './observer.js';
import { zeroedHostArray } from './host-memory.js';
import { Program, type KernelTiming } from './program.js';

/** Counters of a device (tests count kernels run, program builds and hits). */
export interface CpuStats {
  realizations: number;
  programHits: number;
  programBuilds: number;
  kernelsRun: number;
}

/**
 * Plans of graphs from this many nodes on, or that took at least this long to make, are stored on disk for
 * later processes (compiler/cache/plan-cache.ts); smaller ones are planned again faster than a file is written.
 */
const PLAN_STORE_NODES = 1000;
const PLAN_STORE_MS = 20;
/** Graphs from this many nodes on are announced before planning at GRAFT_DEBUG=1. */

/** Programs kept per device (least recently used are dropped beyond this). */
const PROGRAM_CACHE_SIZE = 1024;

/** OpenMP threads for generated kernels: GRAFT_NUM_THREADS, else every core. */
export function threadCount(): number {
  const env = Number.parseInt(process.env.GRAFT_NUM_THREADS ?? '', 10);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

function bufferOf(n: Node): Buffer {
  const b = n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer | null);
  if (!b || !b.host) throw new Error(`internal: cpu input %${n.id} has no host memory`);
  return b;
}

/** Graphs up to this many elements computed in all are re-run on the interpreter to explain a kernel error. */
const EXPLAIN_LIMIT = 1 << 22;

/**
 * A kernel reports only an error code (an index out of range, a division by zero). Where the graph is small,
 * the interpreter re-runs it to name the value, dimension and size in PyTorch's words; the error's type is
 * the same either way. Nothing was written: a failing program changes no tensor.
 */
function preciseError(e: unknown, roots: readonly Node[]): unknown {
  if (!(e instanceof IndexError || e instanceof ZeroDivisionError)) return e;
  const order = toposort(roots, true);
  if (order.reduce((acc, n) => acc + n.numel, 0) > EXPLAIN_LIMIT) return e;
  try {
    interpret(roots);
  } catch (precise) {
    if (precise instanceof (e.constructor as typeof Error)) return precise;
  }
  return e;
}

export class CpuDevice extends HostDevice {
  readonly stats: CpuStats = { realizations: 0, programHits: 0, programBuilds: 0, kernelsRun: 0 };
  /** Programs by the hash of their graph's structural code (a list: different codes may share a hash). */
  private readonly programs = new Map<number, Program[]>();
  private programCount = 0;
  private clock = 0;
  readonly threads = threadCount();

  constructor(name = 'cpu') {
    super(name);
  }

  protected zeroed(dtype: DType, size: number): TypedArray {
    return zeroedHostArray(dtype, size, this.name);
  }

  /** The program computing `roots` (from the cache, or planned now; compiled when first run). */
  program(roots: readonly Node[]): { program: Program; inputs: Node[]; consts: readonly Node[]; hit: boolean } {
    const graph = structuralKey(roots);
    const { inputs, consts } = graph;
    const same = this.programs.get(graph.hash);
    let program = same?.find((p) => sameCode(p.code, graph.code));
    const hit = program !== undefined;
    if (program) program.lastUse = ++this.clock;
    else {
      program = this.newProgram(graph.key, roots, inputs, consts, graph.order.length);
      program.code = graph.code;
      program.lastUse = ++this.clock;
      if (same) same.push(program);
      else this.programs.set(graph.hash, [program]);
      if (++this.programCount > PROGRAM_CACHE_SIZE) this.programCount -= dropLeastRecent(this.programs);
      this.stats.programBuilds++;
    }
    return { program, inputs, consts, hit };
  }

  /**
   * A program not in memory: its plan from the disk cache (planned by an earlier process), else planned now
   * and, when planning took long enough to be worth a file, stored there.
   */
  private newProgram(key: string, roots: readonly Node[], inputs: Node[], consts: readonly Node[], nodes: number): Program {
    const level = debugLevel();
    const t0 = performance.now();
    const digest = planDigest(key, this.threads);
    // An observer (graft inspect) needs the planner's trace, which a stored plan lacks: plan again for it.
    const observer = programObserver.current;
    const stored = observer ? null : readPlan(digest);
    if (stored) {
      const p = new Program(key, stored);
      p.origin = { kind: 'disk', ms: performance.now() - t0 };
      return p;
    }
    if (level >= 1 && nodes >= LARGE_GRAPH) logLine(`graft ${this.name}: planning a graph of ${count(nodes)} nodes`);
    // Constants whose values are data become one more input (src/compiler/lift-constants.ts).
    const lifted = liftConstants(roots, inputs, consts);
    const planned = planProgram({ roots: lifted.roots, inputs: lifted.inputs, threads: this.threads });
    const ms = performance.now() - t0;
    if (nodes >= PLAN_STORE_NODES || ms >= PLAN_STORE_MS) writePlan(digest, planned.plan);
    const p = new Program(key, planned.plan);
    p.origin = { kind: 'planned', ms, report: planned.report };
    observer?.planned(p, roots, lifted.roots, planned.trace, ms);
    return p;
  }

  execute(roots: readonly Node[], info?: ExecuteInfo): Buffer[] {
    const t0 = performance.now();
    const level = debugLevel();
    const { program, inputs, consts, hit } = this.program(roots);
    if (info) info.inputs = inputs;
    if (hit) this.stats.programHits++;
    const compiled = program.loaded;
    if (!hit && level >= 3) process.stderr.write(program.schedule + '\n');
    if (!hit && level >= 4) for (const f of program.plan.functions) logSource(f.source);
    const observer = programObserver.current;
    const timings: KernelTiming[] | undefined = level >= 2 || observer ? [] : undefined;
    let outs: TypedArray[];
    try {
      const arrays = inputs.map((n) => bufferOf(n).host!);
      if (consts.length) {
        const values = program.constsArray(consts.length);
        for (let i = 0; i < consts.length; i++) values[i] = consts[i]!.arg as number;
        arrays.push(values);
      }
      outs = program.run(arrays, timings);
    } catch (e) {
      throw preciseError(e, roots);
    }
    this.stats.realizations++;
    this.stats.kernelsRun += program.plan.kernels.length;
    if (level >= 1) logRealization(this.name, program, hit, compiled, performance.now() - t0);
    if (timings && level >= 2) logKernels(timings, program.plan.threads);
    observer?.ran(program, hit, compiled, timings!, performance.now() - t0);
    return roots.map((r, i) => {
      if (r.op === 'assign') return (r.srcs[0]!.arg as { ref: Buffer }).ref;
      return new Buffer(this.name, r.dtype, r.numel, outs[i]!);
    });
  }


  /** Forget every cached program (tests). */
  clearPrograms(): void {
    this.programs.clear();
    this.programCount = 0;
  }
}
