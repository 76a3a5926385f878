/**
 * The `cuda:N` device over a CudaDriver (the real one or the emulator: the same code above the seam).
 * Buffers hold device pointers (`Buffer.handle`) from a caching allocator; a buffer's block goes back to the
 * allocator when V8 collects the buffer (a release token, see `owned`) or, for a program's intermediates, after
 * their last reader. Graphs are planned for the CUDA target, cached by structure like the cpu's programs,
 * and run by launches. Kernel errors (an index out of range, ...) are or-ed into one device word, read at
 * the end of a program that can fail and before any write into a tensor's memory: the same typed error the
 * cpu raises, and no tensor changed.
 */
import { dropLeastRecent } from '../program-cache.js';
import { DeviceError, DTYPE_INFO, IndexError, OutOfMemoryError, sameCode, structuralKey, toposort, ZeroDivisionError, type DType, type Node, type TypedArray } from '../../ir/index.js';
import { interpret } from '../interp.js';
import { planProgram } from '../../compiler/compile.js';
import { liftConstants } from '../../compiler/lift-constants.js';
import type { ProgramPlan } from '../../compiler/plan.js';
import { CUDA_TARGET } from '../../compiler/target.js';
import { Buffer } from '../buffer.js';
import type { Device, ExecuteInfo } from '../device.js';
import { CachingAllocator } from './allocator.js';
import { CollectionPacer } from '../heap.js';
import { nativeAddon } from '../native.js';
import type { CudaDriver, DevicePtr } from './driver.js';
import { CudaProgram, type ProgramHost } from './program.js';

/** Graphs up to this many elements computed in all are re-run on the interpreter to explain a kernel error. */
const EXPLAIN_LIMIT = 1 << 22;

/** Programs kept per device (least recently used dropped beyond this). */
const PROGRAM_CACHE_SIZE = 1024;

export interface CudaStats {
  realizations: number;
  programHits: number;
  programBuilds: number;
  kernelsRun: number;
}

/** Device bytes allocated between the young collections a device asks for (at least; more when more is live). */
const RECLAIM_BUDGET = 256 * 2 ** 20;

export class CudaDevice implements Device, ProgramHost {
  readonly host = false;
  readonly stats: CudaStats = { realizations: 0, programHits: 0, programBuilds: 0, kernelsRun: 0 };
  readonly allocator: CachingAllocator;
  readonly errorWord: DevicePtr;
  private readonly programs = new Map<number, CudaProgram[]>();
  private programCount = 0;
  private clock = 0;
  /**
   * Blocks of collected buffers go back to the allocator. Each buffer holds a release token (a tiny
   * SharedArrayBuffer whose collection the addon records while V8 collects, native/release_tokens.h); the ids
   * are drained at every allocation, so a training loop that never yields reuses its device memory. (A
   * FinalizationRegistry would call back only when the event loop turns: device memory grew with every step.)
   */
  private readonly owned = new Map<number, { ptr: DevicePtr; bytes: number }>();
  private nextToken = 1;
  /** Collections for device memory, as for host memory (the blocks of what they free come back by `drain`). */
  private readonly pacer = new CollectionPacer(RECLAIM_BUDGET, () => {
    this.drain();
    return this.allocator.inUse;
  });

  constructor(
    readonly name: string,
    readonly driver: CudaDriver,
    readonly ordinal: number,
  ) {
    this.allocator = new CachingAllocator(driver, ordinal, name);
    this.errorWord = driver.malloc(ordinal, 4);
    driver.memsetD8(ordinal, this.errorWord, 0, 4);
  }

  get deviceName(): string {
    return this.driver.info(this.ordinal).name;
  }

  allocBlock(bytes: number): DevicePtr {
    this.pacer.allocating(bytes);
    this.drain();
    return this.allocator.alloc(bytes);
  }


  private drain(): void {
    for (const id of nativeAddon().drainReleased()) {
      const b = this.owned.get(id);
      if (b === undefined) continue;
      this.owned.delete(id);
      this.allocator.release(b.ptr, b.bytes);
    }
  }

  releaseBlock(ptr: DevicePtr, bytes: number): void {
    this.allocator.release(ptr, bytes);
  }

  /** A buffer owning a block of `bytes` bytes at `ptr` (given back when the buffer is collected). */
  private wrap(dtype: DType, size: number, ptr: DevicePtr, bytes: number): Buffer {
    const b = new Buffer(this.name, dtype, size, null, ptr);
    if (bytes > 0) {
      const id = this.nextToken++;
      this.owned.set(id, { ptr, bytes });
      (b as Buffer & { releaseToken?: SharedArrayBuffer }).releaseToken = nativeAddon().newReleaseToken(id);
    }
    return b;
  }

  private bytes(dtype: DType, size: number): number {
    return Math.max(1, DTYPE_INFO[dtype].bytes * size);
  }

  alloc(dtype: DType, size: number): Buffer {
    const bytes = this.bytes(dtype, size);
    const ptr = this.allocBlock(bytes);
    this.driver.memsetD8(this.ordinal, ptr, 0, bytes);
    return this.wrap(dtype, size, ptr, bytes);
  }

  fromHost(dtype: DType, data: TypedArray): Buffer {
    const bytes = this.bytes(dtype, data.length);
    const ptr = this.allocBlock(bytes);
    if (data.byteLength) this.driver.copyHtoD(this.ordinal, ptr, data);
    return this.wrap(dtype, data.length, ptr, bytes);
  }

  toHost(buf: Buffer): TypedArray {
    if (buf.handle === null) throw new DeviceError(`internal: a ${buf.device} buffer without device memory`);
    this.synchronize();
    const out = new DTYPE_INFO[buf.dtype].array(buf.size) as TypedArray;
    if (out.byteLength) this.driver.copyDtoH(this.ordinal, out, buf.handle);
    return out;
  }

  synchronize(): void {
    this.driver.synchronize(this.ordinal);
  }

  /** Read and clear the error word; throw the error the cpu would give. */
  checkErrors(plan: ProgramPlan): void {
    const word = new Int32Array(1);
    this.driver.copyDtoH(this.ordinal, word, this.errorWord);
    const bits = word[0]!;
    if (bits === 0) return;
    this.driver.memsetD8(this.ordinal, this.errorWord, 0, 4);
    if (bits & 1) {
      const ops = [...new Set(plan.kernels.flatMap((k) => k.errors.index))];
      throw new IndexError(`${ops.join('/') || 'index'}: index out of range in self (an index is outside [0, size) of its dimension; on ${this.name})`);
    }
    if (bits & 2) throw new ZeroDivisionError('integer division or modulo by zero');
    if (bits & 4) throw new ZeroDivisionError('Integers to negative integer powers are not allowed.');
    throw new OutOfMemoryError(`${this.name}: a kernel ran out of device heap memory (sort scratch)`);
  }

  /** Give every cached block back to the driver. */
  emptyCache(): void {
    this.allocator.emptyCache();
  }

  private program(roots: readonly Node[]): { program: CudaProgram; inputs: Node[]; consts: readonly Node[]; hit: boolean } {
    const graph = structuralKey(roots);
    const { inputs, consts } = graph;
    const same = this.programs.get(graph.hash);
    let program = same?.find((p) => sameCode(p.code, graph.code));
    const hit = program !== undefined;
    if (!program) {
      const lifted = liftConstants(roots, inputs, consts);
      const planned = planProgram({ roots: lifted.roots, inputs: lifted.inputs, threads: 1, target: CUDA_TARGET });
      program = new CudaProgram(graph.key, planned.plan);
      program.code = graph.code;
      if (same) same.push(program);
      else this.programs.set(graph.hash, [program]);
      if (++this.programCount > PROGRAM_CACHE_SIZE) this.programCount -= dropLeastRecent(this.programs);
      this.stats.programBuilds++;
    } else this.stats.programHits++;
    program.lastUse = ++this.clock;
    return { program, inputs, consts, hit };
  }

  execute(roots: readonly Node[], info?: ExecuteInfo): Buffer[] {
    const { program, inputs, consts } = this.program(roots);
    if (info) info.inputs = inputs;
    const ptrs = inputs.map((n) => {
      const b = n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer | null);
      if (!b || b.handle === null || b.device !== this.name) {
        throw new DeviceError(`Expected all tensors to be on the same device, but found at least two devices, ${this.name} and ${b?.device ?? 'unknown'}!`);
      }
      return b.handle;
    });
    // Lifted constants travel as one more float64 input.
    let constBuf: Buffer | null = null;
    if (consts.length) {
      constBuf = this.fromHost('float64', Float64Array.from(consts, (c) => c.arg as number));
      ptrs.push(constBuf.handle!);
    }
    let outs: { ptr: DevicePtr; owned: number }[];
    try {
      outs = program.run(this, ptrs);
    } catch (e) {
      throw this.preciseError(e, roots, inputs);
    }
    this.stats.realizations++;
    this.stats.kernelsRun += program.plan.kernels.length;
    return roots.map((r, i) => {
      if (r.op === 'assign') return (r.srcs[0]!.arg as { ref: Buffer }).ref;
      const o = outs[i]!;
      return this.wrap(r.dtype, r.numel, o.ptr, o.owned);
    });
  }

  /**
   * A kernel reports only an error bit. Where the graph is small, the interpreter re-runs it on host copies
   * of its inputs to name the op, value and size in PyTorch's words (and the failing node, as on the cpu);
   * the error's type is the same either way.
   */
  private preciseError(e: unknown, roots: readonly Node[], inputs: readonly Node[]): unknown {
    if (!(e instanceof IndexError || e instanceof ZeroDivisionError)) return e;
    if (toposort(roots, true).reduce((acc, n) => acc + n.numel, 0) > EXPLAIN_LIMIT) return e;
    const bufs = inputs.map((n) => (n.op === 'buffer' ? (n.arg as { ref: Buffer }).ref : (n.realized as Buffer)));
    try {
      for (const b of bufs) b.host = this.toHost(b);
      interpret(roots);
    } catch (precise) {
      if (precise instanceof (e.constructor as typeof Error)) return precise;
    } finally {
      for (const b of bufs) b.host = null;
    }
    return e;
  }


  /** The CUDA source of the program computing `roots` (tests, inspection). */
  sourceOf(roots: readonly Node[]): string {
    return this.program(roots).program.source;
  }
}
