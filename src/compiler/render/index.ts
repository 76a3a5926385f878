/**
 * The renderers behind one interface: a lowered kernel and a target (target.ts) give a function's text (named
 * by the placeholder the lowering gave it) and, for CUDA, its launch shape. `render/c` prints C for the cpu,
 * `render/cuda` CUDA C; each target's whole module is its prelude followed by the functions.
 */
import type { Kernel } from '../lower/kernel.js';
import type { Target } from '../target.js';
import { renderKernel as renderC } from './c/index.js';
import { renderCudaKernel, type LaunchShape } from './cuda/index.js';

export interface RenderedKernel {
  readonly text: string;
  /** Grid and block (CUDA only). */
  readonly launch?: LaunchShape;
}

export function renderFor(k: Kernel, t: Target): RenderedKernel {
  return t.kind === 'c' ? { text: renderC(k, { threads: t.threads }) } : renderCudaKernel(k, t);
}

/** How the function named `placeholder` is declared in a target's text (renamed by the kernel cache). */
export const declarationOf = (t: Target, placeholder: string): string => (t.kind === 'c' ? `int ${placeholder}(` : `void ${placeholder}(`);
