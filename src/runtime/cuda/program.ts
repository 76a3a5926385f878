/**
 * A program on a `cuda` device: a plan (compiler/plan.ts) whose functions are CUDA C, loaded as one module,
 * run by launches over device pointers. Slots are pointers: inputs are the tensors' buffers, views are
 * pointers into them, intermediates and outputs come from the device's caching allocator (intermediates go
 * back to it after their last reader). Every kernel gets the device's error word as its last argument.
 *
 * A failing program changes no tensor: kernels that can fail write temporaries (the plan says so), and the
 * error word is read before anything is written into an input's memory.
 */
import { DTYPE_INFO, type DType } from '../../ir/index.js';
import type { ProgramPlan } from '../../compiler/plan.js';
import { renderCudaFile } from '../../compiler/render/cuda/index.js';
import type { CudaDriver, CudaFunction, DevicePtr } from './driver.js';

const bytesOf = (dtype: DType, n: number): number => DTYPE_INFO[dtype].bytes * n;

/** What a program needs of its device while it runs. */
export interface ProgramHost {
  readonly driver: CudaDriver;
  readonly ordinal: number;
  readonly errorWord: DevicePtr;
  allocBlock(bytes: number): DevicePtr;
  releaseBlock(ptr: DevicePtr, bytes: number): void;
  /** Read (and clear) the error word: throws the kernels' error, naming the plan's checked ops. */
  checkErrors(plan: ProgramPlan): void;
}

/** A device pointer and the bytes of its block (0: not owned by the run). */
interface Slot {
  ptr: DevicePtr;
  owned: number;
}

export class CudaProgram {
  private fns: CudaFunction[] | null = null;
  lastUse = 0;
  code: readonly number[] = [];

  constructor(
    readonly key: string,
    readonly plan: ProgramPlan,
  ) {}

  get loaded(): boolean {
    return this.fns !== null;
  }

  /** The CUDA source of the whole program (one module). */
  get source(): string {
    return renderCudaFile(this.plan.functions.map((f) => f.source));
  }

  load(driver: CudaDriver, ordinal: number): void {
    if (this.fns) return;
    const names = this.plan.functions.map((f) => f.name);
    const mod = names.length ? driver.loadModule(ordinal, this.source, names) : new Map<string, CudaFunction>();
    this.fns = names.map((n) => mod.get(n)!);
  }

  /** Run on input pointers (one per input slot); returns a pointer per root and the bytes of each owned one. */
  run(host: ProgramHost, inputs: readonly DevicePtr[]): { ptr: DevicePtr; owned: number }[] {
    this.load(host.driver, host.ordinal);
    const plan = this.plan;
    const fns = this.fns!;
    const slots: (Slot | null)[] = new Array(plan.slots.length).fill(null);
    for (let i = 0; i < plan.nInputs; i++) slots[i] = { ptr: inputs[i]!, owned: 0 };
    const range = (s: number): [bigint, bigint] => {
      const info = plan.slots[s]!;
      const p = slots[s]!.ptr;
      return [p, p + BigInt(bytesOf(info.dtype, info.numel))];
    };
    const overlaps = (a: number, b: number): boolean => {
      const [a0, a1] = range(a);
      const [b0, b1] = range(b);
      return a0 < b1 && b0 < a1;
    };
    const own = (s: number): Slot => {
      const info = plan.slots[s]!;
      const bytes = Math.max(1, bytesOf(info.dtype, info.numel));
      return { ptr: host.allocBlock(bytes), owned: bytes };
    };
    plan.slots.forEach((info, s) => {
      const role = info.role;
      if (role.kind === 'view') slots[s] = { ptr: slots[role.of]!.ptr + BigInt(bytesOf(info.dtype, role.offset)), owned: 0 };
      else if (role.kind === 'scratch') {
        // Zeroed: a split reduction's counters start at 0 (its last block resets them).
        slots[s] = own(s);
        host.driver.memsetD8(host.ordinal, slots[s]!.ptr, 0, slots[s]!.owned);
      }
    });
    const canFail = plan.kernels.map((k) => k.errors.index.length > 0 || k.errors.zerodiv || k.errors.negpow);
    let unchecked = false;
    const check = (): void => {
      if (!unchecked) return;
      unchecked = false;
      host.checkErrors(plan);
    };
    const deferred: [number, number][] = [];
    const outputs = new Set(plan.outputs);
    try {
      for (const st of plan.steps) {
        switch (st.op) {
          case 'alloc': {
            const role = plan.slots[st.slot]!.role;
            if (role.kind === 'assign') {
              const shared = role.viaTemp || role.readLater.some((s) => s !== role.target && overlaps(s, role.target));
              if (!shared) {
                // The kernel writes an input's memory: errors of earlier kernels first.
                check();
                slots[st.slot] = { ptr: slots[role.target]!.ptr, owned: 0 };
                break;
              }
              deferred.push([st.slot, role.target]);
            }
            slots[st.slot] = own(st.slot);
            break;
          }
          case 'run': {
            const k = plan.kernels[st.kernel]!;
            const f = plan.functions[k.fn]!;
            const launch = f.launch!;
            const args = [...k.args.map((s) => ({ ptr: slots[s]!.ptr })), { ptr: host.errorWord }];
            host.driver.launch(fns[k.fn]!, launch.grid, launch.block, 0, args);
            if (canFail[st.kernel]) unchecked = true;
            break;
          }
          case 'copy': {
            if (st.to < plan.nInputs) check();
            const info = plan.slots[st.from]!;
            const bytes = bytesOf(info.dtype, info.numel);
            if (bytes) host.driver.copyDtoD(host.ordinal, slots[st.to]!.ptr, slots[st.from]!.ptr, bytes);
            break;
          }
          case 'free': {
            const sl = slots[st.slot]!;
            if (sl.owned && !outputs.has(st.slot)) host.releaseBlock(sl.ptr, sl.owned);
            slots[st.slot] = null;
            break;
          }
        }
      }
      check();
      for (const [from, to] of deferred) {
        const info = plan.slots[from]!;
        const bytes = bytesOf(info.dtype, info.numel);
        if (bytes) host.driver.copyDtoD(host.ordinal, slots[to]!.ptr, slots[from]!.ptr, bytes);
      }
    } catch (e) {
      // Nothing of a failed run is kept: every block it took goes back.
      for (const sl of slots) if (sl && sl.owned) host.releaseBlock(sl.ptr, sl.owned);
      throw e;
    }
    const results = plan.outputs.map((s) => ({ ptr: slots[s]!.ptr, owned: s < plan.nInputs ? 0 : slots[s]!.owned }));
    // What is neither a result nor freed by a step (scratch, assign temporaries) goes back now.
    const kept = new Set(plan.outputs);
    slots.forEach((sl, s) => {
      if (sl && sl.owned && !kept.has(s)) host.releaseBlock(sl.ptr, sl.owned);
    });
    return results;
  }
}
