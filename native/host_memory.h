// Host memory helpers and a monotonic clock.
//
// CPU tensor memory is allocated by V8 (`new ArrayBuffer`), not here: V8 frees such memory as soon as a
// GC finds it dead, while memory of external ArrayBuffers (napi_create_external_arraybuffer) is released
// by finalizers that Node runs only when the event loop turns, so a synchronous training loop would grow
// without bound. Alignment is obtained by over-allocating and starting the typed view at an aligned
// address, which `addressMod` tells (src/runtime/native.ts, alignedArray).
#pragma once

#include <napi.h>

namespace graft {

// addressMod(view: ArrayBufferView, modulus: number): number — address of the view's first byte modulo
// `modulus` (1..2^31). Materializes on-heap typed arrays, whose data then stays where it is.
Napi::Value AddressMod(const Napi::CallbackInfo &info);
// nowNs(): number — CLOCK_MONOTONIC in nanoseconds (exact below 2^53 ns, about 104 days of uptime).
Napi::Value NowNs(const Napi::CallbackInfo &info);

}  // namespace graft
