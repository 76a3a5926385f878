/**
 * The seam between the tensor layer and `torch.compile`'s capture (src/tensor/compile.ts): while a compiled
 * function is being captured, the places that read or write state call these hooks. When nothing is being
 * captured `capture.hooks` is null and each place costs one null check.
 *
 * What the hooks see is what a replay must reproduce: the base tensors that existed before the call and
 * whose values the function reads (parameters, optimizer state, buffers: the program's state inputs) or
 * rebinds (in-place updates: its state outputs), `.grad` assignments, the random seeds it draws, the
 * optimizers it steps and the training flags it reads (guards). A read of a value into JS cannot be
 * replayed: `valueRead` raises a CompileError naming the line.
 */
import type { Node } from '../ir/index.js';
import type { Tensor } from './tensor.js';

/** State reached through an object the function uses (an optimizer): checked and refreshed on each replay. */
export interface CapturedState {
  /** Values and identities a replay depends on; a replay whose signature differs captures again. */
  captureSignature(): unknown[];
  /** A function that puts the JS-side state back as it is now (a capture that fails changes nothing). */
  captureSnapshot(): () => void;
  /**
   * Make the state a step would make at its first call (optimizer moments as zeros), so that a step captured
   * before any data exists (`torch.compile(fn, { example })`) is the step every later call runs.
   */
  prepareCapture(): void;
  /** Bring buffers the program reads up to date with JS-side settings (learning rates set by a scheduler). */
  beforeReplay(): void;
}

export interface CaptureHooks {
  /** A base tensor's value is about to be used to build a graph. */
  read(t: Tensor): void;
  /** A base tensor is about to be rebound to a new value (an in-place update). */
  write(t: Tensor): void;
  /** `t.grad` is about to be assigned. */
  grad(t: Tensor): void;
  /** A random op drew a fresh seed buffer (a replay draws a fresh one in its place). */
  seed(n: Node): void;
  /** An optimizer (or other stateful object) is stepping. */
  state(s: CapturedState): void;
  /** A module's training flag was read (a guard: replays need the same flag). */
  training(module: object, value: boolean): void;
  /** These tensors are asked to be computed now (an optimizer's step): they join the captured program. */
  realize(ts: readonly Tensor[]): void;
  /** A value is being read into JS (`item()`, `tolist()`, printing): cannot be captured. */
  valueRead(what: string): never;
}

export const capture: { hooks: CaptureHooks | null } = { hooks: null };
