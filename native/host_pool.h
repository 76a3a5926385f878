// A caching allocator of host memory for cpu tensors.
//
// Every realization makes fresh output buffers. Fresh memory costs a page fault per 4 KiB page on first
// touch (about 15 us each on some virtual machines: more than most kernels' arithmetic), and V8's own
// ArrayBuffers are also zero-filled. This pool hands out memory that earlier tensors used and gave back:
// already mapped, not cleared (every kernel writes all of its output).
//
// Memory goes back to the pool when V8 collects the ArrayBuffer that owns it: each ArrayBuffer is made with
// the V8 API around a backing store whose deleter returns the block. V8 calls deleters while it collects
// (possibly on a background thread: the pool is locked), so a synchronous training loop that never yields
// to the event loop still recycles its memory. (N-API's external ArrayBuffers run their finalizers only
// when the event loop turns, which is why this file uses V8 directly.)
//
// Sizes are rounded up to classes (4 per power of two, so at most 25% is wasted; 64-byte steps below 4 KiB)
// and freed blocks of a class are reused first in, last out. Blocks from 4 MiB on are aligned to 2 MiB and
// advised to use transparent huge pages before they are first touched. The pool keeps at most `limit`
// bytes of freed blocks (beyond, blocks go back to the OS); `emptyHostCache` releases them all.
#pragma once

#include <napi.h>

namespace graft {

// allocHost(bytes: number, tag: number): ArrayBuffer — uninitialized memory of exactly `bytes` bytes,
// 64-byte aligned, counted under `tag` (0..7: a device) until V8 collects the ArrayBuffer.
Napi::Value AllocHost(const Napi::CallbackInfo &info);
// hostMemoryStats(): number[] — [cachedBlocks, cachedBytes, limit, then per tag 0..7: liveBlocks,
// liveBytes], where live bytes are the sizes asked for (not the rounded capacities).
Napi::Value HostMemoryStats(const Napi::CallbackInfo &info);
// emptyHostCache(): number — releases every cached block to the OS; returns the bytes released.
Napi::Value EmptyHostCache(const Napi::CallbackInfo &info);
// setHostCacheLimit(bytes: number): undefined — the most freed memory the pool keeps.
Napi::Value SetHostCacheLimit(const Napi::CallbackInfo &info);
// hostAddressMailbox(box: Float64Array): undefined — from now on allocHost writes the address of each block
// it hands out into box[0] (on this thread), so JS knows it without asking (runTable takes addresses). `box`
// must be memory that never moves and stays alive: a Float64Array over a block of this pool, kept forever.
Napi::Value HostAddressMailbox(const Napi::CallbackInfo &info);

}  // namespace graft
