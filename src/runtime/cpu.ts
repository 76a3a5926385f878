/**
 * The `cpu` device: graphs compiled to C. Realizing roots costs, on a program-cache hit, the structural key
 * of the graph (a walk), a map lookup and the kernel calls: scheduling, lowering, rendering and compiling
 * are skipped. On a miss the compiler plans the program, which is compiled (or fetched from the disk cache)
 * and kept under the key: buffers are parameters, so step 2 of a training loop finds step 1's program.
 */
import { availableParallelism } from 'node:os';
import { IndexError, structuralKey, toposort, ZeroDivisionError, type DType, type Node, type TypedArray } from '../ir/index.js';
import { planProgram } from '../compiler/compile.js';
import { Buffer } from './buffer.js';
import { debugLevel, logKernels, logRealization, logSource } from './debug.js';
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
  private readonly programs = new Map<string, Program>();
  readonly threads = threadCount();

  constructor(name = 'cpu') {
    super(name);
  }

  protected zeroed(dtype: DType, size: number): TypedArray {
    return zeroedHostArray(dtype, size, this.name);
  }

  /** The program computing `roots` (from the cache, or planned now; compiled when first run). */
  program(roots: readonly Node[]): { program: Program; inputs: Node[]; hit: boolean } {
    const { key, inputs } = structuralKey(roots);
    let program = this.programs.get(key);
    const hit = program !== undefined;
    if (program) {
      this.programs.delete(key);
      this.programs.set(key, program);
    } else {
      const t0 = performance.now();
      const planned = planProgram({ roots, inputs, threads: this.threads });
      program = new Program(key, planned.plan, planned.schedule);
      programObserver.current?.planned(program, roots, inputs, planned.trace, performance.now() - t0);
      this.programs.set(key, program);
      if (this.programs.size > PROGRAM_CACHE_SIZE) this.programs.delete(this.programs.keys().next().value!);
      this.stats.programBuilds++;
    }
    return { program, inputs, hit };
  }

  execute(roots: readonly Node[], info?: ExecuteInfo): Buffer[] {
    const t0 = performance.now();
    const level = debugLevel();
    const { program, inputs, hit } = this.program(roots);
    if (info) info.inputs = inputs;
    if (hit) this.stats.programHits++;
    const compiled = program.loaded;
    if (!hit && level >= 3) process.stderr.write(program.schedule + '\n');
    if (!hit && level >= 4) logSource(program.plan.source);
    const observer = programObserver.current;
    const timings: KernelTiming[] | undefined = level >= 2 || observer ? [] : undefined;
    let outs: TypedArray[];
    try {
      outs = program.run(
        inputs.map((n) => bufferOf(n).host!),
        timings,
      );
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
  }
}
