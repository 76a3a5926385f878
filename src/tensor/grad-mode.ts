/**
 * Grad mode (torch.is_grad_enabled): whether operations record gradients. One flag for the whole thread, as
 * in PyTorch, read by every op.
 *
 * Scopes: `noGrad(fn)` / `enableGrad(fn)` run a function with the mode set and restore it after; called with no
 * function they return a Disposable guard, PyTorch's context manager: `using _ = torch.noGrad();` sets the mode
 * for the rest of the block. `setGradEnabled(on)` returns such a guard too.
 *
 * Async functions are refused (decision): the mode could only stay set across `await` through an
 * AsyncLocalStorage, which costs every op a lookup (about 20 ns, against a per-op budget of 0.5 us) and makes
 * every `await` of the program about 4x slower once used; a flag set around an async function would instead be
 * restored at its first `await` while the rest of it runs later, with gradients silently on. A `using` guard in
 * an async function is allowed and behaves as Python's `with torch.no_grad():` around an `await` does: the mode
 * is the thread's, so code that runs during the `await` sees it too.
 */
import { ArgumentError } from '../ir/index.js';
import { describeValue } from './options.js';

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Restores the grad mode that was in force when it was made, once, when disposed (the end of a `using` block). */
export class GradModeGuard implements Disposable {
  private active = true;
  constructor(private readonly previous: boolean) {}
  [Symbol.dispose](): void {
    if (!this.active) return;
    this.active = false;
    enabled = this.previous;
  }
  /** The same as disposing it, for code that does not use `using`. */
  restore(): void {
    this[Symbol.dispose]();
  }
}

/** Set grad mode (torch.set_grad_enabled); the returned guard restores the previous mode when disposed. */
export function setGradEnabled(on: boolean): GradModeGuard {
  if (typeof on !== 'boolean') throw new ArgumentError(`setGradEnabled(): argument 'mode' must be a boolean, not ${describeValue(on)}`);
  const guard = new GradModeGuard(enabled);
  enabled = on;
  return guard;
}

const isAsyncFunction = (f: unknown): boolean => Object.prototype.toString.call(f) === '[object AsyncFunction]';
const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';

function asyncRefused(op: string, what: string): ArgumentError {
  return new ArgumentError(
    `${op}(): ${what}; grad mode cannot stay set across \`await\` (graft keeps one flag per thread, as PyTorch). ` +
      `Call ${op}(() => ...) around the synchronous tensor work inside the async function, or write \`using _ = torch.${op}();\` in it.`,
  );
}

function withGradMode<T>(op: string, on: boolean, fn: (() => T) | undefined): T | GradModeGuard {
  if (fn === undefined) return setGradEnabled(on);
  if (typeof fn !== 'function') throw new ArgumentError(`${op}(): expected a function (or no argument, for a \`using\` guard), not ${describeValue(fn)}`);
  if (isAsyncFunction(fn)) throw asyncRefused(op, 'async functions are not supported');
  const previous = enabled;
  enabled = on;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = previous;
  }
  if (isThenable(result)) {
    // Its continuation would run with the mode restored. The promise is already running: keep its failure from
    // becoming an unhandled rejection on top of this error.
    if (result instanceof Promise) result.catch(() => undefined);
    throw asyncRefused(op, 'the function returned a Promise');
  }
  return result;
}

/** Run fn with gradient recording off (torch.no_grad) and return its result; without fn, a `using` guard. */
export function noGrad(): GradModeGuard;
export function noGrad<T>(fn: () => T): T;
export function noGrad<T>(fn?: () => T): T | GradModeGuard {
  return withGradMode('noGrad', false, fn);
}

/** Run fn with gradient recording on (torch.enable_grad); without fn, a `using` guard. */
export function enableGrad(): GradModeGuard;
export function enableGrad<T>(fn: () => T): T;
export function enableGrad<T>(fn?: () => T): T | GradModeGuard {
  return withGradMode('enableGrad', true, fn);
}
