/**
 * The seam inspection (src/inspect) watches programs through: the cpu device tells the observer, when one is
 * installed, about each program it plans and each run. Nothing is recorded when none is installed (the
 * normal case: one null check per realization).
 */
import type { Node } from '../ir/index.js';
import type { PlanTrace } from '../compiler/compile.js';
import type { KernelTiming, Program } from './program.js';

export interface ProgramObserver {
  /**
   * A program was planned for `roots` (a program cache miss), in `ms` milliseconds. `planned` are the roots
   * the planner was given (constants that are data lifted into an input: compiler/lift-constants.ts);
   * `trace` says which of its nodes the plan's slots hold. Both reference nodes: an observer keeps plain
   * data, never them.
   */
  planned(program: Program, roots: readonly Node[], planned: readonly Node[], trace: PlanTrace, ms: number): void;
  /**
   * A program ran: `hit` when it came from the program cache, `loaded` when it was already compiled before
   * this run (else this run compiled or loaded it: `program.loadMs`), one timing per kernel call, and the
   * realization's wall time in milliseconds.
   */
  ran(program: Program, hit: boolean, loaded: boolean, timings: readonly KernelTiming[], ms: number): void;
}

/** The installed observer (src/inspect sets it while inspecting). */
export const programObserver: { current: ProgramObserver | null } = { current: null };
