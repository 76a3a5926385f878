// Entry point of the graft native addon (build/Release/graft.node, loaded by src/runtime/native.ts).
//
// Layout of native/:
//   kernels.{h,cc}      dlopen/dlsym of compiled C kernels and calls into them without copying
//   host_memory.{h,cc}  addresses of JS memory (for 64-byte aligned typed arrays), monotonic clock
//   host_pool.{h,cc}    the caching allocator of cpu tensor memory (ArrayBuffers recycled when V8 frees them)
//   cuda_driver.{h,cc} the CUDA driver API (libcuda.so.1) and NVRTC (libnvrtc.so.*), loaded with dlopen at
//                       run time and exported as the `cuda` object, so that this addon keeps building and
//                       loading on machines without CUDA. Nothing in this addon links against CUDA.
//
// State lives in the addon instance (Napi::Addon), so each worker thread that loads the addon has its own
// tables of libraries and kernels.
#include <napi.h>

#include "cuda_driver.h"
#include "host_memory.h"
#include "host_pool.h"
#include "kernels.h"
#include "release_tokens.h"

namespace graft {

class GraftAddon : public Napi::Addon<GraftAddon> {
 public:
  GraftAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("open", &GraftAddon::Open, napi_enumerable),
                             InstanceMethod("symbol", &GraftAddon::Symbol, napi_enumerable),
                             InstanceMethod("close", &GraftAddon::Close, napi_enumerable),
                             InstanceMethod("call", &GraftAddon::Call, napi_enumerable),
                             InstanceMethod("callMany", &GraftAddon::CallMany, napi_enumerable),
                             InstanceMethod("runTable", &GraftAddon::RunTable, napi_enumerable),
                             InstanceMethod("newReleaseToken", &GraftAddon::NewReleaseTokenM, napi_enumerable),
                             InstanceMethod("drainReleased", &GraftAddon::DrainReleasedM, napi_enumerable),
                             InstanceMethod("addressOf", &GraftAddon::AddressOf, napi_enumerable),
                             InstanceMethod("hostAddressMailbox", &GraftAddon::HostAddressMailboxM, napi_enumerable),
                             InstanceMethod("addressMod", &GraftAddon::AddressModM, napi_enumerable),
                             InstanceMethod("nowNs", &GraftAddon::NowNsM, napi_enumerable),
                             InstanceMethod("allocHost", &GraftAddon::AllocHostM, napi_enumerable),
                             InstanceMethod("hostMemoryStats", &GraftAddon::HostMemoryStatsM, napi_enumerable),
                             InstanceMethod("emptyHostCache", &GraftAddon::EmptyHostCacheM, napi_enumerable),
                             InstanceMethod("setHostCacheLimit", &GraftAddon::SetHostCacheLimitM, napi_enumerable),
                             InstanceValue("cuda", cuda_.Exports(env), napi_enumerable),
                         });
  }

 private:
  Napi::Value Open(const Napi::CallbackInfo &info) { return kernels_.Open(info); }
  Napi::Value Symbol(const Napi::CallbackInfo &info) { return kernels_.Symbol(info); }
  Napi::Value Close(const Napi::CallbackInfo &info) { return kernels_.Close(info); }
  Napi::Value Call(const Napi::CallbackInfo &info) { return kernels_.Call(info); }
  Napi::Value CallMany(const Napi::CallbackInfo &info) { return kernels_.CallMany(info); }
  Napi::Value RunTable(const Napi::CallbackInfo &info) { return kernels_.RunTable(info); }
  Napi::Value NewReleaseTokenM(const Napi::CallbackInfo &info) { return NewReleaseToken(info); }
  Napi::Value DrainReleasedM(const Napi::CallbackInfo &info) { return DrainReleased(info); }
  Napi::Value AddressOf(const Napi::CallbackInfo &info) { return kernels_.AddressOf(info); }
  Napi::Value HostAddressMailboxM(const Napi::CallbackInfo &info) { return HostAddressMailbox(info); }
  Napi::Value AddressModM(const Napi::CallbackInfo &info) { return AddressMod(info); }
  Napi::Value NowNsM(const Napi::CallbackInfo &info) { return NowNs(info); }
  Napi::Value AllocHostM(const Napi::CallbackInfo &info) { return AllocHost(info); }
  Napi::Value HostMemoryStatsM(const Napi::CallbackInfo &info) { return HostMemoryStats(info); }
  Napi::Value EmptyHostCacheM(const Napi::CallbackInfo &info) { return EmptyHostCache(info); }
  Napi::Value SetHostCacheLimitM(const Napi::CallbackInfo &info) { return SetHostCacheLimit(info); }

  KernelTable kernels_;
  CudaDriverNative cuda_;
};

}  // namespace graft

using graft::GraftAddon;
NODE_API_ADDON(GraftAddon)
