/** Garbage collection for memory tests. */
import v8 from 'node:v8';
import vm from 'node:vm';

// A gc() without --expose-gc on the command line.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * Let WeakRefs dereferenced in the current job go (test probes use them), then collect. graft's own counts
 * (torch.memory()) need no waiting: they are exact after a collection, which torch.memory() runs itself.
 */
export async function collectGarbage(): Promise<void> {
  await tick();
  gc();
  await tick();
  gc();
}

/**
 * `measure()` taken at three points one `step()` apart, the one with the least `size`. Now and then (a few
 * times in a thousand training steps) V8 keeps the last step's dead graph (~150 nodes) through a few full
 * collections — nothing of graft retains it, and it is gone a step later. Growth shows at every point.
 */
export function leastOfThree<T>(measure: () => T, size: (m: T) => number, step: () => void): T {
  let best = measure();
  for (let i = 0; i < 2; i++) {
    step();
    const m = measure();
    if (size(m) < size(best)) best = m;
  }
  return best;
}
