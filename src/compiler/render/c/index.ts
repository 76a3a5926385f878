/** The C renderer: kernels -> one C source file (prelude, micro-kernels if needed, one function per kernel). */
import type { Kernel } from '../../lower/kernel.js';
import { MICROKERNELS_C, renderGemmKernel } from './gemm.js';
import { renderLoopKernel } from './loops.js';
import type { RenderOptions } from './nest.js';
import { renderScanKernel, renderScatterKernel } from './scan-scatter.js';
import { PRELUDE_C } from './prelude.js';

export type { RenderOptions } from './nest.js';

export function renderKernel(k: Kernel, o: RenderOptions): string {
  switch (k.kind) {
    case 'loops':
      return renderLoopKernel(k, o);
    case 'scan':
      return renderScanKernel(k, o);
    case 'scatter':
      return renderScatterKernel(k, o);
    case 'gemm':
      return renderGemmKernel(k, o);
  }
}

/** The whole C file of some kernels' functions. */
export function renderSource(kernels: readonly Kernel[], functions: readonly string[]): string {
  const gemm = kernels.some((k) => k.kind === 'gemm');
  return renderFile(gemm, functions);
}

/** A C file: the prelude, the GEMM micro-kernels if asked for, the functions. */
export function renderFile(gemm: boolean, functions: readonly string[]): string {
  return [PRELUDE_C, gemm ? MICROKERNELS_C : '', ...functions].join('\n');
}
