/**
 * A compiled program: a plan (src/compiler/plan.ts: ordered steps over numbered buffer slots) plus the
 * shared object its C source compiles to. Running it binds the input buffers to the first slots, allocates
 * intermediates and outputs, calls the kernels, and drops each intermediate after its last use.
 *
 * Writes into `assign` targets (memory shared with JS) go straight into the target when nothing read later
 * shares its memory, else into a temporary copied in after every kernel has run; kernels that can fail run
 * before any such write, so a failing program leaves every tensor unchanged.
 */
import { Buffer as NodeBuffer } from 'node:buffer';
import { DTYPE_INFO, GraftError, IndexError, type DType, type TypedArray } from '../ir/index.js';
import type { PlanKernel, ProgramPlan } from '../compiler/plan.js';
import { loadKernelLibrary } from './kernel-cache.js';
import { nativeAddon, nowNs, type Kernel as NativeKernel } from './native.js';

const ALIGN = 64;

/** An uninitialized, 64-byte aligned typed array (kernels overwrite every element of what they allocate). */
export function scratchArray(dtype: DType, n: number): TypedArray {
  const info = DTYPE_INFO[dtype];
  const raw = NodeBuffer.allocUnsafeSlow(n * info.bytes + ALIGN - 1);
  const offset = (ALIGN - nativeAddon().addressMod(raw, ALIGN)) % ALIGN;
  return new info.array(raw.buffer, raw.byteOffset + offset, n);
}

function overlaps(a: TypedArray, b: TypedArray): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Timing of one kernel call (GRAFT_DEBUG=2). */
export interface KernelTiming {
  readonly kernel: PlanKernel;
  readonly ns: number;
}

export class Program {
  private kernels: NativeKernel[] | null = null;
  /** Milliseconds spent compiling (or loading from the disk cache) when the program was first run. */
  loadMs = 0;

  constructor(
    readonly key: string,
    readonly plan: ProgramPlan,
    /** A readable account of the schedule (GRAFT_DEBUG=3). */
    readonly schedule: string,
  ) {}

  /** Compile (or fetch from the disk cache) and open the shared object. Idempotent. */
  load(): void {
    if (this.kernels) return;
    const t0 = performance.now();
    if (this.plan.kernels.length) {
      const lib = loadKernelLibrary(this.plan.source);
      this.kernels = this.plan.kernels.map((k) => lib.kernel(k.name));
    } else this.kernels = [];
    this.loadMs = performance.now() - t0;
  }

  get loaded(): boolean {
    return this.kernels !== null;
  }

  /**
   * Run on the input arrays (one per input slot, of the slot's dtype and size); returns the array holding
   * each root's value. `timings`, when given, receives one entry per kernel call.
   */
  run(inputs: readonly TypedArray[], timings?: KernelTiming[]): TypedArray[] {
    this.load();
    const plan = this.plan;
    const kernels = this.kernels!;
    const bufs: (TypedArray | null)[] = new Array(plan.slots.length).fill(null);
    for (let i = 0; i < plan.nInputs; i++) bufs[i] = inputs[i]!;
    const deferred: [number, number][] = [];
    for (const st of plan.steps) {
      switch (st.op) {
        case 'alloc': {
          const info = plan.slots[st.slot]!;
          const role = info.role;
          if (role.kind === 'assign') {
            const target = bufs[role.target]!;
            const shared = role.viaTemp || role.readLater.some((s) => s !== role.target && overlaps(bufs[s]!, target));
            if (!shared) {
              bufs[st.slot] = target;
              break;
            }
            deferred.push([st.slot, role.target]);
          }
          bufs[st.slot] = scratchArray(info.dtype, info.numel);
          break;
        }
        case 'run': {
          const k = plan.kernels[st.kernel]!;
          const args = k.args.map((s) => bufs[s]!);
          const t0 = timings ? nowNs() : 0;
          try {
            kernels[st.kernel]!.call(args, k.minBytes as number[]);
          } catch (e) {
            throw namedError(e, k);
          }
          if (timings) timings.push({ kernel: k, ns: nowNs() - t0 });
          break;
        }
        case 'copy':
          bufs[st.to]!.set(bufs[st.from]!);
          break;
        case 'free':
          bufs[st.slot] = null;
          break;
      }
    }
    for (const [from, to] of deferred) bufs[to]!.set(bufs[from]!);
    return plan.outputs.map((s) => bufs[s]!);
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
