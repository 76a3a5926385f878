/**
 * What the JS heap holds, asked of V8 itself: how many live objects have a given prototype, and garbage
 * collections on request.
 *
 * Counting objects with a FinalizationRegistry (one cell per object) is what graft did first; but cells of
 * dead objects are cleared only when the event loop turns, so in a synchronous training loop the cells
 * piled up (tens of bytes per tensor, node and buffer: ~45 KB per training step) and the counts only grew.
 * The inspector's Runtime.queryObjects runs a full collection and then counts exactly: it costs a GC and a
 * heap walk (milliseconds), nothing on the hot path. The in-process inspector session answers synchronously.
 */
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import vm from 'node:vm';

let session: Session | null = null;

function post<T>(method: string, params: object): T {
  if (session === null) {
    session = new Session();
    session.connect();
  }
  let result: T | undefined;
  let error: Error | null = null;
  session.post(method, params, (e, r) => {
    error = e;
    result = r as T;
  });
  if (error) throw error;
  if (result === undefined) throw new Error(`internal: inspector ${method} did not answer synchronously`);
  return result;
}

interface RemoteObject {
  objectId?: string;
}

/** Live objects (after a full garbage collection) whose prototype chain includes `proto`. */
export function countLiveObjects(proto: object): number {
  const holder = globalThis as { __graftQueryPrototype?: object };
  holder.__graftQueryPrototype = proto;
  try {
    const { result } = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: 'globalThis.__graftQueryPrototype' });
    const { objects } = post<{ objects: RemoteObject }>('Runtime.queryObjects', { prototypeObjectId: result.objectId });
    const { result: length } = post<{ result: { value: number } }>('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    post('Runtime.releaseObject', { objectId: objects.objectId });
    post('Runtime.releaseObject', { objectId: result.objectId });
    return length.value;
  } finally {
    delete holder.__graftQueryPrototype;
  }
}

type GcFunction = (opts?: { type?: 'minor' | 'major' }) => void;
let gcFunction: GcFunction | null | undefined;

/**
 * V8's gc() (as with --expose-gc, taken from a new context after setting the flag, so nothing is added to
 * the program's globals), or null where that is not possible.
 */
export function gcFunctionOrNull(): GcFunction | null {
  if (gcFunction === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const f = vm.runInNewContext('gc') as unknown;
      gcFunction = typeof f === 'function' ? (f as GcFunction) : null;
    } catch {
      gcFunction = null;
    }
  }
  return gcFunction;
}

/**
 * When to ask V8 for a collection, for memory V8 does not count (the host pool's SharedArrayBuffers, a CUDA
 * device's blocks): after allocating as much as was live after the last collection (at least `budget`), a
 * young collection; then a full one when live memory grew past twice what the last full one left plus
 * `budget` (buffers that lived through young collections are old). A full collection is `gc()`:
 * `gc({ type: 'major' })` was measured to leave such old buffers alive. `large`: an allocation at least this
 * big, after at least as much since the last collection, collects first (its block is likely dead by now).
 */
export class CollectionPacer {
  private allocatedSince = 0;
  private liveAfterCollect = 0;
  private liveAfterFull = 0;

  constructor(
    private readonly budget: number,
    /** The bytes live now (after whatever the collection let go). */
    private readonly live: () => number,
    private readonly large = Infinity,
  ) {}

  /** Count `bytes` about to be allocated, and collect when it is time. */
  allocating(bytes: number): void {
    const large = bytes >= this.large && this.allocatedSince >= this.large;
    this.allocatedSince += bytes;
    if (!large && this.allocatedSince < Math.max(this.budget, this.liveAfterCollect)) return;
    this.allocatedSince = 0;
    const gc = gcFunctionOrNull();
    if (gc === null) return;
    gc({ type: 'minor' });
    let live = this.live();
    if (live > 2 * this.liveAfterFull + this.budget) {
      gc();
      live = this.live();
      this.liveAfterFull = live;
    }
    this.liveAfterCollect = live;
  }
}
