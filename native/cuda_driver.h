// The CUDA driver API (libcuda.so.1) and NVRTC (libnvrtc.so.*), loaded with dlopen at run time and exported
// to JS as the addon's `cuda` object (wrapped by src/runtime/cuda/driver-native.ts).
//
// Nothing here includes cuda.h or nvrtc.h or links against CUDA: the few prototypes and enum values used are
// declared in cuda_driver.cc, and entry points are resolved with dlsym (the `_v2` names where the driver has
// them). So the addon builds and loads on machines without any CUDA; `init` then says why there is no driver.
//
// Safety: every argument from JS is checked before any call (types, integer ranges, ordinals). Device memory
// handed out by `malloc` is recorded per device (base, size), and every copy, memset, free and kernel pointer
// argument must lie inside a live allocation, so no JS input can make the driver touch memory it was not
// given. Host ranges are the whole ArrayBufferView (its byteLength). Every CUresult other than success
// throws an Error whose message names the call and the driver's error name (cuGetErrorName), with the
// properties `cudaError` (that name) and `call`; an NVRTC failure throws with `nvrtcError` and `log`.
//
// One primary context (cuDevicePrimaryCtxRetain) and one non-blocking stream per device, made on first use.
// Copies and memsets are queued on that stream; host-to-device copies come from pageable JS memory, which the
// driver stages before returning (the JS buffer may be reused at once); device-to-host copies wait.
#pragma once

#include <napi.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace graft {

class CudaDriverNative {
 public:
  CudaDriverNative();
  ~CudaDriverNative();

  // The `cuda` object of the addon: its functions call into this instance.
  Napi::Object Exports(Napi::Env env);

 private:
  struct Api;  // the resolved entry points (cuda_driver.cc)
  struct Device {
    bool open = false;   // context retained and stream made
    void *ctx = nullptr;   // CUcontext
    void *stream = nullptr;  // CUstream
    std::map<uint64_t, uint64_t> allocations;  // base -> bytes
  };
  struct Module {
    int ordinal;
    void *module;  // CUmodule
  };
  struct Function {
    int ordinal;
    void *fn;  // CUfunction
    std::string name;
    int paramCount;  // -1 when the driver cannot say (no cuFuncGetParamInfo)
    std::vector<uint32_t> paramSizes;
  };

  // init(cudaNames: string[], nvrtcNames: string[]) -> { ok: true, ... } | { ok: false, reason }
  Napi::Value Init(const Napi::CallbackInfo &info);
  // deviceInfo(ordinal) -> { name, major, minor, totalBytes, multiprocessors }
  Napi::Value DeviceInfo(const Napi::CallbackInfo &info);
  // malloc(ordinal, bytes) -> bigint (0n for 0 bytes)
  Napi::Value Malloc(const Napi::CallbackInfo &info);
  // free(ordinal, ptr: bigint)
  Napi::Value Free(const Napi::CallbackInfo &info);
  // memInfo(ordinal) -> [free, total]
  Napi::Value MemInfo(const Napi::CallbackInfo &info);
  // copyHtoD(ordinal, dst: bigint, src: ArrayBufferView)
  Napi::Value CopyHtoD(const Napi::CallbackInfo &info);
  // copyDtoH(ordinal, dst: ArrayBufferView, src: bigint)
  Napi::Value CopyDtoH(const Napi::CallbackInfo &info);
  // copyDtoD(ordinal, dst: bigint, src: bigint, bytes)
  Napi::Value CopyDtoD(const Napi::CallbackInfo &info);
  // memsetD8(ordinal, dst: bigint, value 0..255, bytes)
  Napi::Value MemsetD8(const Napi::CallbackInfo &info);
  // compile(ordinal, source, programName, options?: string[]) -> { image: Uint8Array, kind: 'cubin' | 'ptx', arch, log }
  Napi::Value Compile(const Napi::CallbackInfo &info);
  // loadModule(ordinal, image: ArrayBufferView) -> module id
  Napi::Value LoadModule(const Napi::CallbackInfo &info);
  // getFunction(module, name) -> function id
  Napi::Value GetFunction(const Napi::CallbackInfo &info);
  // launch(fn, grid: number[3], block: number[3], sharedBytes, kinds: Uint8Array, slots: Uint8Array)
  //   kinds[i]: 0 pointer, 1 int32, 2 int64, 3 float32, 4 float64; slots: 8 bytes per argument, the value's
  //   bytes (little-endian) at the start of its slot.
  Napi::Value Launch(const Napi::CallbackInfo &info);
  // synchronize(ordinal)
  Napi::Value Synchronize(const Napi::CallbackInfo &info);

  void RequireInit(Napi::Env env) const;
  int Ordinal(Napi::Env env, const Napi::Value &v) const;
  Device &Open(Napi::Env env, int ordinal);  // retains the context, makes the stream, makes it current
  // Throws unless result is CUDA_SUCCESS; `log` (a JIT log) is appended to the message.
  void Check(Napi::Env env, int result, const char *call, const std::string &log = std::string()) const;
  // Throws unless [ptr, ptr + bytes) lies in one live allocation of the device.
  void CheckRange(Napi::Env env, const Device &d, uint64_t ptr, uint64_t bytes, const char *what) const;

  Api *api_;
  void *cudaLib_ = nullptr;
  void *nvrtcLib_ = nullptr;
  std::string cudaName_, nvrtcName_;
  bool ready_ = false;
  int deviceCount_ = 0;
  int driverVersion_ = 0;
  int nvrtcMajor_ = 0, nvrtcMinor_ = 0;
  std::vector<Device> devices_;
  std::vector<Module> modules_;
  std::vector<Function> functions_;
  // Argument storage reused by launch (filled after all JS values are read).
  std::vector<uint64_t> argSlots_;
  std::vector<void *> argPtrs_;
};

}  // namespace graft
