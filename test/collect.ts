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
