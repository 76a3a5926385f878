// Release tokens: knowing synchronously that V8 collected an object.
//
// Memory graft holds outside V8 (a CUDA device's blocks) must go back when the Buffer that owns it dies. A
// FinalizationRegistry tells only when the event loop turns, and a training loop never yields: device memory
// grew by every step's intermediates until the loop ended. Instead each such buffer holds a token, a
// one-byte SharedArrayBuffer whose backing-store deleter (run by V8 while it collects, possibly on a
// background thread) records the token's id; JS drains the ids at its next allocation and gives their
// blocks back. Queues are shared-owned, so a deleter that runs after its addon instance is gone is harmless.
#pragma once

#include <napi.h>

namespace graft {

// newReleaseToken(id: number): SharedArrayBuffer — a token whose collection records `id`.
Napi::Value NewReleaseToken(const Napi::CallbackInfo &info);
// drainReleased(): number[] — ids of tokens collected since the last call (this thread's tokens).
Napi::Value DrainReleased(const Napi::CallbackInfo &info);

}  // namespace graft
