import { DeviceError, type DType, type Node, type TypedArray } from '../ir/index.js';
import type { Buffer } from './buffer.js';

/**
 * A device: memory and a way to compute IR graphs on it. `cpu` compiles graphs to C; `interp` evaluates
 * them node by node in JS (the oracle); `cuda` (runtime/cuda) compiles to CUDA C and runs it through a driver (the real one or the emulator).
 */
export interface Device {
  /** 'cpu', 'interp', 'cuda:0', ... */
  readonly name: string;
  /** Whether buffers live in JS memory (a typed array over an ArrayBuffer). */
  readonly host: boolean;
  alloc(dtype: DType, size: number): Buffer;
  /** A buffer holding `data`: host devices wrap the same memory, others copy. */
  fromHost(dtype: DType, data: TypedArray): Buffer;
  /** The buffer's contents: host devices return the same memory, others a copy. */
  toHost(buf: Buffer): TypedArray;
  /**
   * Compute every root (they are on this device) and return one buffer per root. A device that finds the
   * graph's inputs anyway (buffers and realized nodes the roots read) reports them in `info.inputs`.
   */
  execute(roots: readonly Node[], info?: ExecuteInfo): Buffer[];
  /** Wait for queued work to finish. */
  synchronize(): void;
}

/** What a device reports about an execution. */
export interface ExecuteInfo {
  inputs?: readonly Node[];
}

const devices = new Map<string, () => Device>();
const instances = new Map<string, Device>();

/**
 * Devices found on first use (cuda: src/runtime/cuda/register.ts registers `cuda:N` when a driver loads):
 * asked before a device is looked up or listed; returns why none was found, or null.
 */
let probe: (() => string | null) | null = null;
export function setDeviceProbe(f: () => string | null): void {
  probe = f;
}

export function registerDevice(name: string, make: () => Device): void {
  devices.set(name, make);
  instances.delete(name);
}

/** Look a device up by name ('cuda' means 'cuda:0'). */
export function getDevice(name: string): Device {
  const key = name === 'cuda' ? 'cuda:0' : name;
  let d = instances.get(key);
  if (d) return d;
  const why = key.startsWith('cuda') && probe ? probe() : null;
  const make = devices.get(key);
  if (!make) {
    const cudas = [...devices.keys()].filter((n) => n.startsWith('cuda:'));
    if (key.startsWith('cuda') && cudas.length) {
      throw new DeviceError(`${name}: CUDA error: invalid device ordinal (the CUDA devices are ${cudas.join(', ')})`);
    }
    if (key.startsWith('cuda')) {
      throw new DeviceError(
        `${name}: CUDA is not available (no CUDA device or driver was found on this machine${why ? `: ${why}` : ''}); use 'cpu', or check torch.cuda.isAvailable() first`,
      );
    }
    throw new DeviceError(`unknown device '${name}'; known devices: ${[...devices.keys()].join(', ')}`);
  }
  d = make();
  instances.set(key, d);
  return d;
}

export function deviceNames(): string[] {
  probe?.();
  return [...devices.keys()];
}
