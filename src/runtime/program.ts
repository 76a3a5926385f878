/**
 * A compiled program: a plan (src/compiler/plan.ts: ordered steps over numbered buffer slots) plus the
 * shared object its C source compiles to. Running it binds the input buffers to the first slots, allocates
 * intermediates and outputs, calls the kernels, and drops each intermediate after its last use.
 *
 * Intermediates live in one arena per program, placed by liveness (runtime/arena.ts), kept between runs.
 *
 * Writes into `assign` targets (memory shared with JS) go straight into the target when nothing read later
 * shares its memory, else into a temporary copied in after every kernel has run; kernels that can fail run
 * before any such write, so a failing program leaves every tensor unchanged.
 */
import { DeviceError, DTYPE_INFO, GraftError, IndexError, setElements, type TypedArray } from '../ir/index.js';
import { arenaLayout, type ArenaLayout } from './arena.js';
import type { PlanKernel, ProgramPlan } from '../compiler/plan.js';
import { loadKernelLibraries } from './kernel-cache.js';
import { ccStats } from '../compiler/cc.js';
import { renderFile } from '../compiler/render/c/index.js';
import { describePlan } from '../compiler/assemble.js';
import type { PlanningReport } from '../compiler/compile.js';
import { debugLevel, logLine } from './debug.js';
import { addressOf, hostArray } from './host-memory.js';
import { nativeAddon, nowNs, statusError, type Kernel as NativeKernel } from './native.js';

/** Kernels run in one native call (`table` for the addon; `idAt[i]`: where kernel i's id goes), or a copy. */
type Segment = { readonly table: Float64Array; readonly idAt: readonly number[]; readonly kernels: readonly number[] } | { readonly copy: readonly [number, number] };

function overlaps(a: TypedArray, b: TypedArray): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Timing of one kernel call (GRAFT_DEBUG=2). */
export interface KernelTiming {
  readonly kernel: PlanKernel;
  readonly ns: number;
}

/**
 * Programs whose intermediate and scratch memory is kept between runs (most recently run last). Reusing it
 * saves allocating and first-touching fresh pages on every step of a loop; only a few programs keep theirs,
 * so a workload of many different graphs does not hold many sets of intermediates.
 */
const KEEP_POOLS = 4;
/** Compiles of this many functions or more are announced before they start (GRAFT_DEBUG=1). */
const ANNOUNCE_BUILDS = 4;
const pooled: Program[] = [];

function notePooled(p: Program): void {
  const i = pooled.indexOf(p);
  if (i === pooled.length - 1 && i >= 0) return;
  if (i >= 0) pooled.splice(i, 1);
  pooled.push(p);
  while (pooled.length > KEEP_POOLS) pooled.shift()!.releaseMemory();
}

export class Program {
  private kernels: NativeKernel[] | null = null;
  /** Kept working memory: one arena for temp, scratch and assign-temporary slots (runtime/arena.ts), and its views. */
  private arena: Uint8Array | null = null;
  private views: (TypedArray | undefined)[] = [];
  private layout: ArenaLayout | null = null;
  private segments: Segment[] | null = null;
  private consts: Float64Array | null = null;
  private readonly intoCache = new Map<number, boolean>();
  private addrs: Float64Array | null = null;
  private bytes: Float64Array | null = null;
  /** Milliseconds spent compiling (or loading from the disk cache) when the program was first run. */
  loadMs = 0;
  /** When the device last used it (its program cache drops the least recently used). */
  lastUse = 0;
  /** The structural code of the graphs it computes (ir/hash.ts), for the device's program cache. */
  code: readonly number[] = [];
  /** Functions of the plan, and how many of them were compiled (not found in the disk cache) by `load`. */
  loadReport = { functions: 0, compiled: 0 };
  /** How the plan was made: read from the disk cache, or planned (with where the time went). */
  origin: { kind: 'disk'; ms: number } | { kind: 'planned'; ms: number; report: PlanningReport } | null = null;

  private described: string | undefined;

  constructor(
    readonly key: string,
    readonly plan: ProgramPlan,
    schedule?: string,
  ) {
    this.described = schedule;
  }

  /** A readable account of the schedule (GRAFT_DEBUG=3), made when first asked for. */
  get schedule(): string {
    return (this.described ??= describePlan(this.plan));
  }

  /** Compile (or fetch from the disk cache) and open the shared object of each function. Idempotent. */
  load(): void {
    if (this.kernels) return;
    const t0 = performance.now();
    const fns = this.plan.functions;
    const before = ccStats.compiles;
    const onBuild = (n: number, jobs: number): void => {
      if (debugLevel() >= 1 && n >= ANNOUNCE_BUILDS) logLine(`graft cpu: compiling ${n} of ${fns.length} functions on ${jobs} jobs`);
    };
    // Each function has a cache entry of its own; missing ones compile several to a file (one prelude).
    const combine = (members: readonly number[]): string =>
      renderFile(
        members.some((i) => fns[i]!.gemm),
        members.map((i) => fns[i]!.source),
      );
    const libs = fns.length ? loadKernelLibraries(fns.map((f) => renderFile(f.gemm, [f.source])), { onBuild, combine }) : [];
    this.loadReport = { functions: fns.length, compiled: ccStats.compiles - before };
    const resolved = fns.map((f, i) => libs[i]!.kernel(f.name));
    this.kernels = this.plan.kernels.map((k) => resolved[k.fn]!);
    this.loadMs = performance.now() - t0;
  }

  /**
   * Take every function from one library already open (an ahead-of-time artifact's shared object): nothing
   * is compiled, so no C compiler is needed.
   */
  useLibrary(lib: { kernel(name: string): NativeKernel }): void {
    const resolved = this.plan.functions.map((f) => lib.kernel(f.name));
    this.kernels = this.plan.kernels.map((k) => resolved[k.fn]!);
    this.loadReport = { functions: this.plan.functions.length, compiled: 0 };
  }

  get loaded(): boolean {
    return this.kernels !== null;
  }

  /**
   * Whether root `out` may be computed into the memory of input slot `input` (the input's old values are then
   * gone): that root is an output written by one kernel that reads the input (directly or through a view
   * of all of it) only at the elements it writes (`PlanKernel.inPlace`); no step after it reads the input,
   * nothing else writes the input, and no kernel of the program can fail (a failed run must change nothing).
   */
  canWriteInto(out: number, input: number): boolean {
    const key = out * 65536 + input;
    let ok = this.intoCache.get(key);
    if (ok === undefined) this.intoCache.set(key, (ok = this.checkWriteInto(out, input)));
    return ok;
  }

  private checkWriteInto(out: number, input: number): boolean {
    const plan = this.plan;
    const slot = plan.outputs[out];
    if (slot === undefined || input >= plan.nInputs || plan.slots[slot]!.role.kind !== 'output') return false;
    if (plan.outputs.filter((s) => s === slot).length !== 1) return false;
    if (plan.kernels.some((k) => k.errors.index.length > 0 || k.errors.zerodiv || k.errors.negpow)) return false;
    // The input's memory: the slot itself and views of all of it; a view of part of it disqualifies.
    const same = new Set([input]);
    for (let s = 0; s < plan.slots.length; s++) {
      const r = plan.slots[s]!.role;
      if (r.kind === 'view' && r.of === input) {
        if (r.offset !== 0 || plan.slots[s]!.numel !== plan.slots[input]!.numel) return false;
        same.add(s);
      }
      if (r.kind === 'assign' && r.target === input) return false;
    }
    let writer = -1;
    for (let i = 0; i < plan.steps.length; i++) {
      const st = plan.steps[i]!;
      if (st.op === 'copy') {
        if (st.to === slot) return false;
        if (writer >= 0 && same.has(st.from)) return false;
      } else if (st.op === 'run') {
        const k = plan.kernels[st.kernel]!;
        const w = k.args.indexOf(slot);
        if (w >= 0 && (k.inPlace ?? []).some(([a]) => a === w) && writer < 0) {
          // Every argument bound to the input must be one this output may overwrite.
          const ok = k.args.every((s, a) => !same.has(s) || (k.inPlace ?? []).some(([x, y]) => x === w && y === a));
          if (!ok) return false;
          writer = i;
        } else if (w >= 0) return false;
        else if (writer >= 0 && k.args.some((s) => same.has(s))) return false;
      }
    }
    return writer >= 0;
  }

  /**
   * An array of n float64s this program keeps for the values of its lifted constants, filled by the caller
   * before each run (pool memory: its address is known, so passing it to the kernels costs no N-API call).
   */
  constsArray(n: number): Float64Array {
    let a = this.consts;
    if (a === null || a.length !== n) a = this.consts = hostArray('float64', n) as Float64Array;
    return a;
  }

  /** Drop the memory kept between runs. */
  releaseMemory(): void {
    this.arena = null;
    this.views = [];
  }

  /** Where each working slot lives in the arena, and the arena's size (computed once). */
  get memoryLayout(): ArenaLayout {
    return (this.layout ??= arenaLayout(this.plan));
  }

  /**
   * Bytes a run holds at its peak: its inputs, its outputs and its working arena (inputs that are views of
   * other inputs are not counted twice).
   */
  get peakBytes(): { inputs: number; outputs: number; arena: number; total: number } {
    const bytes = (s: number): number => this.plan.slots[s]!.numel * DTYPE_INFO[this.plan.slots[s]!.dtype].bytes;
    let inputs = 0;
    for (let s = 0; s < this.plan.nInputs; s++) inputs += bytes(s);
    const outputs = [...new Set(this.plan.outputs)].filter((s) => s >= this.plan.nInputs).reduce((a, s) => a + bytes(s), 0);
    const arena = this.memoryLayout.bytes;
    return { inputs, outputs, arena, total: inputs + outputs + arena };
  }

  private pooledArray(slot: number): TypedArray {
    let a = this.views[slot];
    if (!a) {
      const layout = this.memoryLayout;
      if (this.arena === null) this.arena = hostArray('bool', Math.max(layout.bytes, 1)) as Uint8Array;
      const info = this.plan.slots[slot]!;
      a = new DTYPE_INFO[info.dtype].array(this.arena.buffer, this.arena.byteOffset + layout.offsets[slot]!, info.numel);
      this.views[slot] = a;
    }
    return a;
  }

  /**
   * Run on the input arrays (one per input slot, of the slot's dtype and size); returns the array holding
   * each root's value. `timings`, when given, receives one entry per kernel call.
   */
  run(inputs: readonly TypedArray[], timings?: KernelTiming[], into?: ReadonlyMap<number, number>): TypedArray[] {
    this.load();
    const plan = this.plan;
    const bufs: (TypedArray | null)[] = new Array(plan.slots.length).fill(null);
    for (let i = 0; i < plan.nInputs; i++) bufs[i] = inputs[i]!;
    notePooled(this);
    plan.slots.forEach((info, s) => {
      const role = info.role;
      if (role.kind === 'scratch') bufs[s] = this.pooledArray(s);
      else if (role.kind === 'view') bufs[s] = bufs[role.of]!.subarray(role.offset, role.offset + info.numel);
    });
    // Every slot gets its memory first (an output from the allocator, a working slot its fixed place in the
    // arena, an assign its target where nothing read later shares it): the order of allocations changes no
    // address, and the kernels then run in as few native calls as there are copies between them.
    // Roots computed into the memory of an input (the caller checked `canWriteInto`).
    const intoSlot = new Map<number, TypedArray>();
    if (into) {
      for (const [out, input] of into) {
        const target = inputs[input]!;
        // Not when another input shares that memory (a tensor passed twice, an argument that is also state).
        let alone = true;
        for (let s = 0; s < plan.nInputs && alone; s++) if (s !== input && overlaps(inputs[s]!, target)) alone = false;
        if (alone) intoSlot.set(plan.outputs[out]!, target);
      }
    }
    const deferred: [number, number][] = [];
    for (const st of plan.steps) {
      if (st.op !== 'alloc') continue;
      const info = plan.slots[st.slot]!;
      const role = info.role;
      if (role.kind === 'assign') {
        const target = bufs[role.target]!;
        const shared = role.viaTemp || role.readLater.some((s) => s !== role.target && overlaps(bufs[s]!, target));
        if (!shared) {
          bufs[st.slot] = target;
          continue;
        }
        deferred.push([st.slot, role.target]);
      }
      bufs[st.slot] = role.kind === 'output' ? (intoSlot.get(st.slot) ?? hostArray(info.dtype, info.numel)) : this.pooledArray(st.slot);
    }
    if (timings) this.runEach(bufs, timings);
    else this.runBatched(bufs);
    for (const [from, to] of deferred) setElements(bufs[to]!, bufs[from]!);
    return plan.outputs.map((s) => bufs[s]!);
  }

  /** The steps one kernel call at a time (timed). */
  private runEach(bufs: (TypedArray | null)[], timings: KernelTiming[]): void {
    const plan = this.plan;
    const kernels = this.kernels!;
    for (const st of plan.steps) {
      if (st.op === 'run') {
        const k = plan.kernels[st.kernel]!;
        const args = k.args.map((s) => bufs[s]!);
        const t0 = nowNs();
        try {
          kernels[st.kernel]!.callTrusted(args, k.minBytes as number[]);
        } catch (e) {
          throw namedError(e, k);
        }
        timings.push({ kernel: k, ns: nowNs() - t0 });
      } else if (st.op === 'copy') setElements(bufs[st.to]!, bufs[st.from]!);
    }
  }

  /** The steps with each run of kernels between copies in one native call, buffers passed as addresses. */
  private runBatched(bufs: (TypedArray | null)[]): void {
    const segments = (this.segments ??= this.batches());
    const n = bufs.length;
    const addrs = (this.addrs ??= new Float64Array(n));
    const bytes = (this.bytes ??= new Float64Array(n));
    for (let s = 0; s < n; s++) {
      const b = bufs[s];
      if (b === null || b === undefined) {
        addrs[s] = 0;
        bytes[s] = 0;
      } else {
        addrs[s] = addressOf(b);
        bytes[s] = b.byteLength;
        if (s < this.plan.nInputs && b.length < this.plan.slots[s]!.numel) {
          throw new DeviceError(
            `cpu: input ${s} of a program holds ${b.length} elements, fewer than the ${this.plan.slots[s]!.numel} it was built for: memory shared with JS was detached (transferred) or shrunk`,
          );
        }
      }
    }
    const addon = nativeAddon();
    for (const seg of segments) {
      if ('copy' in seg) {
        setElements(bufs[seg.copy[1]]!, bufs[seg.copy[0]]!);
        continue;
      }
      for (let i = 0; i < seg.kernels.length; i++) seg.table[seg.idAt[i]!] = this.kernels![seg.kernels[i]!]!.nativeId();
      const status = addon.runTable(seg.table, addrs, bytes);
      if (status !== 0) {
        const k = this.plan.kernels[seg.kernels[Math.floor(status / 256)]!]!;
        throw namedError(statusError(k.name, status % 256), k);
      }
    }
  }

  /** The steps as runs of kernels (a table each for the addon) and the copies between them. */
  private batches(): Segment[] {
    const out: Segment[] = [];
    let run: number[] = [];
    const flush = (): void => {
      if (run.length === 0) return;
      const table: number[] = [run.length];
      const idAt: number[] = [];
      for (const ki of run) {
        const k = this.plan.kernels[ki]!;
        idAt.push(table.length);
        table.push(-1, k.args.length);
        k.args.forEach((slot, a) => table.push(slot, k.minBytes[a]!));
      }
      out.push({ table: Float64Array.from(table), idAt, kernels: run });
      run = [];
    };
    for (const st of this.plan.steps) {
      if (st.op === 'run') run.push(st.kernel);
      else if (st.op === 'copy') {
        flush();
        out.push({ copy: [st.from, st.to] });
      }
    }
    flush();
    return out;
  }

  /** The plan as JSON (for ahead-of-time compilation and inspection). */
  toJSON(): { key: string; plan: ProgramPlan } {
    return { key: this.key, plan: this.plan };
  }
}

/** A kernel's error, naming the ops that can raise it. */
function namedError(e: unknown, k: PlanKernel): unknown {
  if (e instanceof IndexError && k.errors.index.length) {
    return new IndexError(`${k.errors.index.join('/')}: index out of range in self (an index is outside [0, size) of its dimension; kernel ${k.name})`);
  }
  if (e instanceof GraftError) return e;
  return e;
}
