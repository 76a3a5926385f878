// Host memory for CPU tensors and a monotonic clock.
#pragma once

#include <napi.h>

namespace graft {

// alignedAlloc(bytes: number): ArrayBuffer — zero-filled, 64-byte aligned, freed when V8 collects it.
Napi::Value AlignedAlloc(const Napi::CallbackInfo &info);
// nowNs(): number — CLOCK_MONOTONIC in nanoseconds (exact below 2^53 ns, about 104 days of uptime).
Napi::Value NowNs(const Napi::CallbackInfo &info);

}  // namespace graft
