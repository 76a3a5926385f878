/**
 * Host memory for cpu and interp buffers: typed arrays over memory of the addon's caching allocator
 * (native/host_pool.cc). A block goes back to the pool when V8 collects the array that owns it — during the
 * collection, without waiting for the event loop — and the next allocation of a similar size reuses it:
 * already mapped (no page faults), not cleared (every kernel writes all of its output). Blocks are 64-byte
 * aligned; from 4 MiB on they are aligned to 2 MiB and use transparent huge pages.
 *
 * V8 does not see this memory (the arrays are SharedArrayBuffers, which V8 leaves out of its external
 * memory accounting; counted, every 64 MiB of fresh results would trigger a full collection). So this module
 * decides when to collect: after allocating as much as was live after the last collection (at least 64 MiB),
 * it runs a young-generation collection (~0.1 ms; results dropped since are young), and a full one when live
 * memory keeps growing through young collections (objects promoted to the old generation).
 */
import { checkBufferSize, DTYPE_INFO, OutOfMemoryError, zeroFill, type DType, type TypedArray } from '../ir/index.js';
import { CollectionPacer, gcFunctionOrNull } from './heap.js';
import { nativeAddon } from './native.js';

/** Device names to the addon's accounting tags (0..7). */
const TAGS = new Map<string, number>([
  ['cpu', 0],
  ['interp', 1],
]);

function tagOf(device: string): number {
  let t = TAGS.get(device);
  if (t === undefined) {
    t = TAGS.size;
    if (t > 7) throw new Error(`internal: more than 8 host devices (${[...TAGS.keys(), device].join(', ')})`);
    TAGS.set(device, t);
  }
  return t;
}

const MIN_BUDGET = 64 << 20;

function liveBytes(stats: number[]): number {
  let s = 0;
  for (let t = 0; t < 8; t++) s += stats[4 + 2 * t]!;
  return s;
}

/** Buffers this large are worth a young collection before they are allocated (see the pacer below). */
const LARGE = 16 << 20;

/**
 * Collections for the pool (see CollectionPacer). A large result dropped since the last collection is most
 * likely dead now, and its block the one this allocation can reuse: a young collection (well under a
 * millisecond) returns it first. Without this, a loop making 64 MB results from a long-lived tensor held ten
 * such blocks in the cache (750 MB of RSS).
 */
const pacer = new CollectionPacer(MIN_BUDGET, () => liveBytes(nativeAddon().hostMemoryStats()), LARGE);

/**
 * A full collection as the allocator asks for one; returns the live host bytes after it. `gc()`, not
 * `gc({ type: 'major' })`: the latter was measured to leave buffers that lived through young collections alive
 * (an eager 1024-wide MLP loop held 2.4 GB after 300 steps).
 */
export function fullCollection(): number {
  gcFunctionOrNull()?.();
  return liveBytes(nativeAddon().hostMemoryStats());
}

/** An uninitialized typed array of n elements of `dtype`, counted under `device` while it lives. */
/**
 * The address of each pool block, kept on its SharedArrayBuffer: Program.run hands kernels addresses, not
 * views (a view costs the addon four N-API calls to resolve). The addon writes each block's address into
 * `mailbox` as it hands the block out.
 */
const ADDRESS = Symbol('graft.address');
let mailbox: Float64Array | null = null;

function setupMailbox(): Float64Array {
  const addon = nativeAddon();
  const mem = addon.allocHost(8, 0);
  if (mem === null) throw new OutOfMemoryError('cpu: out of memory allocating 8 bytes');
  const box = new Float64Array(mem, 0, 1);
  addon.hostAddressMailbox(box);
  (mem as unknown as Record<symbol, number>)[ADDRESS] = addon.addressOf(box);
  return box;
}

/**
 * The data address of a view: pool memory from what the allocator reported; other memory (arrays made in JS)
 * from the addon once, then kept on its ArrayBuffer. An ArrayBuffer's memory does not move while it lives
 * (an array V8 allocated on its heap is moved out by the addon's first look, for good); one that is detached
 * reads as 0 bytes long, which Program.run passes along and the addon refuses.
 */
export function addressOf(view: ArrayBufferView): number {
  const buffer = view.buffer as unknown as Record<symbol, number | undefined>;
  const base = buffer[ADDRESS];
  if (base !== undefined) return base + view.byteOffset;
  const address = nativeAddon().addressOf(view);
  if (view.byteLength > 0) Object.defineProperty(buffer, ADDRESS, { value: address - view.byteOffset, writable: true });
  return address;
}

export function hostArray(dtype: DType, n: number, device = 'cpu'): TypedArray {
  checkBufferSize(dtype, n, `${device}: a buffer of ${n} ${dtype} elements`);
  const info = DTYPE_INFO[dtype];
  const bytes = n * info.bytes;
  pacer.allocating(bytes);
  const addon = nativeAddon();
  const box = (mailbox ??= setupMailbox());
  let mem = addon.allocHost(bytes, tagOf(device));
  if (mem === null) {
    // Out of memory: collect everything dead (its blocks come back) and try once more.
    gcFunctionOrNull()?.();
    addon.emptyHostCache();
    mem = addon.allocHost(bytes, tagOf(device));
    if (mem === null) throw new OutOfMemoryError(`${device}: out of memory allocating ${bytes} bytes (${n} elements of ${dtype})`);
  }
  (mem as unknown as Record<symbol, number>)[ADDRESS] = box[0]!;
  return new info.array(mem, 0, n);
}

/** A zero-filled hostArray. */
export function zeroedHostArray(dtype: DType, n: number, device = 'cpu'): TypedArray {
  const a = hostArray(dtype, n, device);
  zeroFill(a);
  return a;
}

/** Live host buffers and bytes per device, and the pool's cached (freed, kept) blocks. */
export function hostMemoryStats(): { devices: Record<string, { buffers: number; bytes: number }>; cachedBlocks: number; cachedBytes: number; cacheLimit: number } {
  const s = nativeAddon().hostMemoryStats();
  const devices: Record<string, { buffers: number; bytes: number }> = {};
  for (const [name, t] of TAGS) if (s[3 + 2 * t]! > 0 || name === 'cpu') devices[name] = { buffers: s[3 + 2 * t]!, bytes: s[4 + 2 * t]! };
  return { devices, cachedBlocks: s[0]!, cachedBytes: s[1]!, cacheLimit: s[2]! };
}

/** Give the pool's cached blocks back to the OS; returns the bytes released. */
export function emptyHostCache(): number {
  return nativeAddon().emptyHostCache();
}

/** The most freed memory the pool keeps for reuse (default 1 GiB; GRAFT_HOST_CACHE_MB sets it at start). */
export function setHostCacheLimit(bytes: number): void {
  nativeAddon().setHostCacheLimit(bytes);
}

const envLimit = Number.parseInt(process.env.GRAFT_HOST_CACHE_MB ?? '', 10);
if (Number.isInteger(envLimit) && envLimit >= 0) {
  try {
    setHostCacheLimit(envLimit * 2 ** 20);
  } catch {
    // the addon is not built: every use of host memory reports that
  }
}
