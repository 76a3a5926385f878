/**
 * Inspection from code: the kernels realizing some nodes would run on the cpu device, with their C sources
 * (`torch.ir.kernels(t)`). Planning goes through the device's program cache, so inspecting and then
 * realizing plans once.
 */
import type { Node } from '../ir/index.js';
import { CpuDevice } from './cpu.js';
import { getDevice } from './device.js';
import type { Buffer } from './buffer.js';

export interface KernelInfo {
  /** Its name within its program (k0, k1, ...). */
  readonly name: string;
  /** 'loops' (elementwise and fused reductions), 'gemm' (contractions), 'scan', 'scatter'. */
  readonly kind: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** The IR ops fused into the kernel. */
  readonly ops: readonly string[];
  /** The name of the C function it calls (a digest of the function: kernels of one structure share it). */
  readonly function: string;
  /** That C function (its file also holds the prelude of helpers every kernel file starts with). */
  readonly source: string;
}

const known = (n: Node): boolean => n.op === 'buffer' || (n.realized as Buffer | null) !== null;

/** The kernels that computing `roots` would run (none for values already computed). */
export function plannedKernels(roots: readonly Node[]): KernelInfo[] {
  const pending = [...new Set(roots.filter((r) => !known(r)))];
  if (pending.length === 0) return [];
  const dev = getDevice('cpu');
  const cpu = dev instanceof CpuDevice ? dev : new CpuDevice('cpu');
  const { program } = cpu.program(pending);
  const fns = program.plan.functions;
  return program.plan.kernels.map((k) => ({
    name: k.name,
    kind: k.kind,
    shape: k.shape,
    dtype: k.dtype,
    ops: k.ops,
    function: fns[k.fn]!.name,
    source: fns[k.fn]!.source,
  }));
}
