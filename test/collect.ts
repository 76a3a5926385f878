/** Garbage collection for memory tests: collect until the live counts of graft's objects stop changing. */
import v8 from 'node:v8';
import vm from 'node:vm';
import { memory } from '../src/index.js';

// A gc() without --expose-gc on the command line.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function counts(): string {
  const m = memory();
  return JSON.stringify([m.tensors, m.nodes, Object.values(m.devices).map((d) => [d.buffers, d.bytes])]);
}

/**
 * Let WeakRefs dereferenced in the current job go, then collect until the counts of live tensors, nodes and
 * buffers are the same over three rounds: finalization callbacks run in later tasks, and a chain of weakly
 * held objects can take several collections to go (under load one round was not always enough).
 */
export async function collectGarbage(): Promise<void> {
  let stable = 0;
  for (let i = 0; i < 30 && stable < 3; i++) {
    const before = counts();
    await tick();
    gc();
    await tick();
    stable = counts() === before ? stable + 1 : 0;
  }
}
