#include "cuda_driver.h"

#include <dlfcn.h>

#include <cmath>
#include <cstring>

namespace graft {

namespace {

// ---- The few declarations of cuda.h and nvrtc.h used here (ABI-stable since CUDA 4.0 / NVRTC 7.0) ----
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;  // 64-bit on every platform CUDA supports
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using nvrtcResult = int;
using nvrtcProgram = void *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_INVALID_VALUE = 1;
constexpr int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr unsigned CU_STREAM_NON_BLOCKING = 1;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr nvrtcResult NVRTC_SUCCESS = 0;
// The oldest driver accepted: CUDA 11.0 (primary contexts, cuLaunchKernel, the _v2 memory API all older).
constexpr int kMinDriverVersion = 11000;
// Dynamic shared memory above this needs cuFuncSetAttribute (opt-in, sm_70 and later).
constexpr unsigned kDefaultSharedLimit = 48 * 1024;

enum ArgKind : uint8_t { kPtr = 0, kI32 = 1, kI64 = 2, kF32 = 3, kF64 = 4 };

bool IsInteger(const Napi::Value &v, double lo, double hi, double *out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || d != std::floor(d)) return false;
  *out = d;
  return true;
}

// Data pointer (advanced by byteOffset) and byte length of an ArrayBufferView. False when `v` is not one.
bool ViewBytes(napi_env env, napi_value v, uint8_t **data, size_t *bytes) {
  bool is = false;
  void *p = nullptr;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    if (napi_get_typedarray_info(env, v, &type, &length, &p, &ab, &offset) != napi_ok) return false;
    size_t el = 8;
    switch (type) {
      case napi_int8_array:
      case napi_uint8_array:
      case napi_uint8_clamped_array:
        el = 1;
        break;
      case napi_int16_array:
      case napi_uint16_array:
        el = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        el = 4;
        break;
      default:
        el = 8;
    }
    *bytes = length * el;
    *data = static_cast<uint8_t *>(p);
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_value ab;
    size_t offset;
    if (napi_get_dataview_info(env, v, bytes, &p, &ab, &offset) != napi_ok) return false;
    *data = static_cast<uint8_t *>(p);
    return true;
  }
  return false;
}

uint64_t ReadLE(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

// Whether an image is a 64-bit little-endian ELF object whose headers, program headers and sections all lie
// within its `bytes` (so the driver, which is not told the length, reads nothing past it).
bool BoundedElf(const uint8_t *d, size_t bytes) {
  if (bytes < 64 || d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F' || d[4] != 2 || d[5] != 1) return false;
  const uint64_t phoff = ReadLE(d + 0x20, 8), shoff = ReadLE(d + 0x28, 8);
  const uint64_t phentsize = ReadLE(d + 0x36, 2), phnum = ReadLE(d + 0x38, 2);
  const uint64_t shentsize = ReadLE(d + 0x3a, 2), shnum = ReadLE(d + 0x3c, 2);
  auto within = [bytes](uint64_t off, uint64_t len) { return off <= bytes && len <= bytes - off; };
  if (phnum > 0 && (phentsize < 56 || !within(phoff, phentsize * phnum))) return false;
  if (shnum > 0 && (shentsize < 64 || !within(shoff, shentsize * shnum))) return false;
  for (uint64_t i = 0; i < phnum; i++) {
    const uint8_t *ph = d + phoff + i * phentsize;
    const uint64_t size = ReadLE(ph + 0x20, 8);  // p_filesz: a segment with no bytes in the file is not read
    if (size > 0 && !within(ReadLE(ph + 0x08, 8), size)) return false;
  }
  for (uint64_t i = 0; i < shnum; i++) {
    const uint8_t *sh = d + shoff + i * shentsize;
    if (ReadLE(sh + 0x04, 4) == 8) continue;  // SHT_NOBITS: no bytes in the file
    const uint64_t size = ReadLE(sh + 0x20, 8);  // sh_size
    if (size > 0 && !within(ReadLE(sh + 0x18, 8), size)) return false;
  }
  return true;
}

// Whether an image is PTX text: one NUL, at the end, and not another format's magic number.
bool PtxText(const uint8_t *d, size_t bytes) {
  if (bytes < 2 || d[bytes - 1] != 0) return false;
  if (bytes >= 4 && ReadLE(d, 4) == 0xBA55ED50u) return false;  // a fatbin
  if (d[0] == 0x7f) return false;                                // an ELF object
  for (size_t i = 0; i + 1 < bytes; i++) {
    if (d[i] == 0) return false;
  }
  return true;
}

std::string DlError() {
  const char *e = dlerror();
  return e != nullptr ? e : "unknown error";
}

}  // namespace

// The resolved entry points. A null optional one means the library is too old for that feature.
struct CudaDriverNative::Api {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemGetInfo)(size_t *, size_t *);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD8Async)(CUdeviceptr, unsigned char, size_t, CUstream);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                             CUstream, void **, void **);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  // optional
  CUresult (*cuFuncGetParamInfo)(CUfunction, size_t, size_t *, size_t *);  // CUDA 12.4
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);                     // CUDA 9.0
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *, void **);

  nvrtcResult (*nvrtcVersion)(int *, int *);
  const char *(*nvrtcGetErrorString)(nvrtcResult);
  nvrtcResult (*nvrtcCreateProgram)(nvrtcProgram *, const char *, const char *, int, const char *const *,
                                    const char *const *);
  nvrtcResult (*nvrtcCompileProgram)(nvrtcProgram, int, const char *const *);
  nvrtcResult (*nvrtcGetProgramLogSize)(nvrtcProgram, size_t *);
  nvrtcResult (*nvrtcGetProgramLog)(nvrtcProgram, char *);
  nvrtcResult (*nvrtcGetPTXSize)(nvrtcProgram, size_t *);
  nvrtcResult (*nvrtcGetPTX)(nvrtcProgram, char *);
  nvrtcResult (*nvrtcDestroyProgram)(nvrtcProgram *);
  // optional
  nvrtcResult (*nvrtcGetCUBINSize)(nvrtcProgram, size_t *);  // NVRTC 11.1
  nvrtcResult (*nvrtcGetCUBIN)(nvrtcProgram, char *);
  nvrtcResult (*nvrtcGetNumSupportedArchs)(int *);  // NVRTC 11.2
  nvrtcResult (*nvrtcGetSupportedArchs)(int *);
};

CudaDriverNative::CudaDriverNative() : api_(new Api()) { std::memset(api_, 0, sizeof(Api)); }

CudaDriverNative::~CudaDriverNative() {
  // Contexts, streams, modules and the libraries are left to the process's end on purpose (as kernel
  // libraries are): calling into the driver while the environment is torn down gains nothing.
  delete api_;
}

Napi::Object CudaDriverNative::Exports(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  auto def = [&](const char *name, Napi::Value (CudaDriverNative::*m)(const Napi::CallbackInfo &)) {
    o.Set(name, Napi::Function::New(
                    env, [this, m](const Napi::CallbackInfo &info) { return (this->*m)(info); }, name));
  };
  def("init", &CudaDriverNative::Init);
  def("deviceInfo", &CudaDriverNative::DeviceInfo);
  def("malloc", &CudaDriverNative::Malloc);
  def("free", &CudaDriverNative::Free);
  def("memInfo", &CudaDriverNative::MemInfo);
  def("copyHtoD", &CudaDriverNative::CopyHtoD);
  def("copyDtoH", &CudaDriverNative::CopyDtoH);
  def("copyDtoD", &CudaDriverNative::CopyDtoD);
  def("memsetD8", &CudaDriverNative::MemsetD8);
  def("compile", &CudaDriverNative::Compile);
  def("loadModule", &CudaDriverNative::LoadModule);
  def("getFunction", &CudaDriverNative::GetFunction);
  def("launch", &CudaDriverNative::Launch);
  def("synchronize", &CudaDriverNative::Synchronize);
  return o;
}

// ---------------------------------------------------------------------------------------------- checks

void CudaDriverNative::RequireInit(Napi::Env env) const {
  if (!ready_) throw Napi::Error::New(env, "graft cuda: the driver is not initialized (call init first)");
}

int CudaDriverNative::Ordinal(Napi::Env env, const Napi::Value &v) const {
  RequireInit(env);
  double d;
  if (!IsInteger(v, 0, deviceCount_ - 1, &d)) {
    throw Napi::RangeError::New(env, "graft cuda: device ordinal must be an integer in 0.." +
                                         std::to_string(deviceCount_ - 1));
  }
  return static_cast<int>(d);
}

void CudaDriverNative::Check(Napi::Env env, int result, const char *call, const std::string &log) const {
  if (result == CUDA_SUCCESS) return;
  const char *name = nullptr;
  const char *desc = nullptr;
  if (api_->cuGetErrorName == nullptr || api_->cuGetErrorName(result, &name) != CUDA_SUCCESS || name == nullptr) {
    name = "CUDA_ERROR_UNKNOWN";
  }
  if (api_->cuGetErrorString == nullptr || api_->cuGetErrorString(result, &desc) != CUDA_SUCCESS) desc = nullptr;
  std::string msg = std::string(call) + " failed: " + name + " (" + std::to_string(result) +
                    (desc != nullptr ? std::string(": ") + desc : std::string()) + ")";
  if (!log.empty()) msg += "\n" + log;
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("cudaError", Napi::String::New(env, name));
  e.Set("call", Napi::String::New(env, call));
  e.Set("cudaResult", Napi::Number::New(env, result));
  throw e;
}

static uint64_t ReadPtr(Napi::Env env, const Napi::Value &v, const char *what) {
  if (!v.IsBigInt()) throw Napi::TypeError::New(env, std::string("graft cuda: ") + what + " must be a bigint");
  bool lossless = false;
  uint64_t p = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw Napi::RangeError::New(env, std::string("graft cuda: ") + what + " is not a device address");
  return p;
}

static uint64_t ReadBytes(Napi::Env env, const Napi::Value &v, const char *what) {
  double d;
  if (!IsInteger(v, 0, 9007199254740991.0, &d)) {
    throw Napi::RangeError::New(env, std::string("graft cuda: ") + what + " must be a non-negative integer");
  }
  return static_cast<uint64_t>(d);
}

void CudaDriverNative::CheckRange(Napi::Env env, const Device &d, uint64_t ptr, uint64_t bytes,
                                  const char *what) const {
  auto it = d.allocations.upper_bound(ptr);
  if (it != d.allocations.begin()) {
    --it;
    uint64_t base = it->first, size = it->second;
    if (ptr >= base && bytes <= size && ptr - base <= size - bytes) return;
  }
  throw Napi::RangeError::New(env, std::string("graft cuda: ") + what + " [" + std::to_string(ptr) + ", +" +
                                       std::to_string(bytes) + ") is not inside a live allocation of this device");
}

CudaDriverNative::Device &CudaDriverNative::Open(Napi::Env env, int ordinal) {
  Device &d = devices_[ordinal];
  if (!d.open) {
    CUdevice dev;
    Check(env, api_->cuDeviceGet(&dev, ordinal), "cuDeviceGet");
    CUcontext ctx = nullptr;
    Check(env, api_->cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
    d.ctx = ctx;
    Check(env, api_->cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
    CUstream s = nullptr;
    Check(env, api_->cuStreamCreate(&s, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    d.stream = s;
    d.open = true;
    return d;
  }
  // The context is made current each time: cheap, and another user of the driver on this thread may
  // have changed it.
  Check(env, api_->cuCtxSetCurrent(d.ctx), "cuCtxSetCurrent");
  return d;
}

// ------------------------------------------------------------------------------------------------ init

Napi::Value CudaDriverNative::Init(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  auto names = [&](size_t i, const char *what) {
    std::vector<std::string> out;
    if (info.Length() <= i || !info[i].IsArray()) {
      throw Napi::TypeError::New(env, std::string("graft cuda: init needs ") + what + " as an array of strings");
    }
    Napi::Array a = info[i].As<Napi::Array>();
    for (uint32_t k = 0; k < a.Length(); k++) {
      Napi::Value v = a.Get(k);
      if (!v.IsString()) throw Napi::TypeError::New(env, std::string("graft cuda: ") + what + " must be strings");
      out.push_back(v.As<Napi::String>().Utf8Value());
    }
    return out;
  };
  std::vector<std::string> cudaNames = names(0, "the driver library names");
  std::vector<std::string> nvrtcNames = names(1, "the NVRTC library names");
  Napi::Object result = Napi::Object::New(env);
  // A failed probe leaves an earlier successful one as it was (nothing is installed before success).
  auto fail = [&](const std::string &reason) {
    result.Set("ok", Napi::Boolean::New(env, false));
    result.Set("reason", Napi::String::New(env, reason));
    return result;
  };
  bool inUse = !modules_.empty();
  for (const Device &d : devices_) inUse = inUse || d.open;

  // The driver library.
  void *lib = nullptr;
  std::string libName, tried;
  for (const std::string &n : cudaNames) {
    dlerror();
    lib = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) {
      libName = n;
      break;
    }
    std::string err = DlError();
    if (err.find(n) == std::string::npos) err = n + ": " + err;
    tried += (tried.empty() ? "" : "; ") + err;
  }
  if (lib == nullptr) return fail("CUDA driver library not found (tried " + tried + ")");
  if (inUse && lib != cudaLib_) {
    return fail("the CUDA driver is in use through " + cudaName_ + "; it cannot be switched to " + libName);
  }
  Api a;
  std::memset(&a, 0, sizeof a);
  std::string missing;
  auto sym = [&](void *h, const char *name, bool required) -> void * {
    void *p = dlsym(h, name);
    if (p == nullptr && required) missing += (missing.empty() ? "" : ", ") + std::string(name);
    return p;
  };
#define GRAFT_CU(field, name) a.field = reinterpret_cast<decltype(a.field)>(sym(lib, name, true))
  GRAFT_CU(cuInit, "cuInit");
  GRAFT_CU(cuDriverGetVersion, "cuDriverGetVersion");
  GRAFT_CU(cuDeviceGetCount, "cuDeviceGetCount");
  GRAFT_CU(cuDeviceGet, "cuDeviceGet");
  GRAFT_CU(cuDeviceGetName, "cuDeviceGetName");
  GRAFT_CU(cuDeviceGetAttribute, "cuDeviceGetAttribute");
  GRAFT_CU(cuDeviceTotalMem, "cuDeviceTotalMem_v2");
  GRAFT_CU(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  GRAFT_CU(cuCtxSetCurrent, "cuCtxSetCurrent");
  GRAFT_CU(cuStreamCreate, "cuStreamCreate");
  GRAFT_CU(cuStreamSynchronize, "cuStreamSynchronize");
  GRAFT_CU(cuMemAlloc, "cuMemAlloc_v2");
  GRAFT_CU(cuMemFree, "cuMemFree_v2");
  GRAFT_CU(cuMemGetInfo, "cuMemGetInfo_v2");
  GRAFT_CU(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  GRAFT_CU(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  GRAFT_CU(cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  GRAFT_CU(cuMemsetD8Async, "cuMemsetD8Async");
  GRAFT_CU(cuModuleLoadData, "cuModuleLoadData");
  GRAFT_CU(cuModuleGetFunction, "cuModuleGetFunction");
  GRAFT_CU(cuLaunchKernel, "cuLaunchKernel");
  GRAFT_CU(cuGetErrorName, "cuGetErrorName");
  GRAFT_CU(cuGetErrorString, "cuGetErrorString");
#undef GRAFT_CU
  a.cuFuncGetParamInfo = reinterpret_cast<decltype(a.cuFuncGetParamInfo)>(sym(lib, "cuFuncGetParamInfo", false));
  a.cuFuncSetAttribute = reinterpret_cast<decltype(a.cuFuncSetAttribute)>(sym(lib, "cuFuncSetAttribute", false));
  a.cuModuleLoadDataEx = reinterpret_cast<decltype(a.cuModuleLoadDataEx)>(sym(lib, "cuModuleLoadDataEx", false));
  if (!missing.empty()) return fail("driver too old: " + libName + " lacks " + missing);

  // Errors of the probe are reported with the driver's names (through `a`, not yet installed).
  auto cuName = [&](CUresult r) {
    const char *n = nullptr;
    const char *d = nullptr;
    std::string s = (a.cuGetErrorName(r, &n) == CUDA_SUCCESS && n != nullptr) ? n : "CUDA_ERROR_UNKNOWN";
    if (a.cuGetErrorString(r, &d) == CUDA_SUCCESS && d != nullptr) s += std::string(" (") + d + ")";
    return s;
  };
  CUresult r = a.cuInit(0);
  if (r != CUDA_SUCCESS) return fail("cuInit failed: " + cuName(r));
  int version = 0;
  r = a.cuDriverGetVersion(&version);
  if (r != CUDA_SUCCESS) return fail("cuDriverGetVersion failed: " + cuName(r));
  auto versionText = [](int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); };
  if (version < kMinDriverVersion) {
    return fail("driver too old: the driver supports CUDA " + versionText(version) + ", graft needs CUDA " +
                versionText(kMinDriverVersion) + " or newer");
  }
  int count = 0;
  r = a.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS) return fail("cuDeviceGetCount failed: " + cuName(r));
  if (count <= 0) return fail("no CUDA device (the driver " + libName + " reports none)");
  if (inUse && count != deviceCount_) return fail("the CUDA device count changed while in use");

  // NVRTC: the first library whose major version the driver supports.
  void *nv = nullptr;
  std::string nvName, nvTried;
  int nvMajor = 0, nvMinor = 0;
  for (const std::string &n : nvrtcNames) {
    dlerror();
    void *h = dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      std::string err = DlError();
      if (err.find(n) == std::string::npos) err = n + ": " + err;
      nvTried += (nvTried.empty() ? "" : "; ") + err;
      continue;
    }
    auto ver = reinterpret_cast<nvrtcResult (*)(int *, int *)>(dlsym(h, "nvrtcVersion"));
    int ma = 0, mi = 0;
    if (ver == nullptr || ver(&ma, &mi) != NVRTC_SUCCESS) {
      nvTried += (nvTried.empty() ? "" : "; ") + n + ": no nvrtcVersion";
      continue;
    }
    if (ma > version / 1000) {
      nvTried += (nvTried.empty() ? "" : "; ") + n + ": NVRTC " + std::to_string(ma) + "." + std::to_string(mi) +
                 " is newer than the driver (CUDA " + versionText(version) + ")";
      continue;
    }
    nv = h;
    nvName = n;
    nvMajor = ma;
    nvMinor = mi;
    break;
  }
  if (nv == nullptr) return fail("NVRTC not found (tried " + nvTried + ")");
#define GRAFT_NV(field, name, req) a.field = reinterpret_cast<decltype(a.field)>(sym(nv, name, req))
  GRAFT_NV(nvrtcVersion, "nvrtcVersion", true);
  GRAFT_NV(nvrtcGetErrorString, "nvrtcGetErrorString", true);
  GRAFT_NV(nvrtcCreateProgram, "nvrtcCreateProgram", true);
  GRAFT_NV(nvrtcCompileProgram, "nvrtcCompileProgram", true);
  GRAFT_NV(nvrtcGetProgramLogSize, "nvrtcGetProgramLogSize", true);
  GRAFT_NV(nvrtcGetProgramLog, "nvrtcGetProgramLog", true);
  GRAFT_NV(nvrtcGetPTXSize, "nvrtcGetPTXSize", true);
  GRAFT_NV(nvrtcGetPTX, "nvrtcGetPTX", true);
  GRAFT_NV(nvrtcDestroyProgram, "nvrtcDestroyProgram", true);
  GRAFT_NV(nvrtcGetCUBINSize, "nvrtcGetCUBINSize", false);
  GRAFT_NV(nvrtcGetCUBIN, "nvrtcGetCUBIN", false);
  GRAFT_NV(nvrtcGetNumSupportedArchs, "nvrtcGetNumSupportedArchs", false);
  GRAFT_NV(nvrtcGetSupportedArchs, "nvrtcGetSupportedArchs", false);
#undef GRAFT_NV
  if (!missing.empty()) return fail("NVRTC too old: " + nvName + " lacks " + missing);

  *api_ = a;
  cudaLib_ = lib;
  nvrtcLib_ = nv;
  cudaName_ = libName;
  nvrtcName_ = nvName;
  driverVersion_ = version;
  nvrtcMajor_ = nvMajor;
  nvrtcMinor_ = nvMinor;
  if (!inUse) {
    deviceCount_ = count;
    devices_.clear();
    devices_.resize(count);
  }
  ready_ = true;
  result.Set("ok", Napi::Boolean::New(env, true));
  result.Set("driverVersion", Napi::Number::New(env, version));
  result.Set("deviceCount", Napi::Number::New(env, count));
  result.Set("cudaLibrary", Napi::String::New(env, libName));
  result.Set("nvrtcLibrary", Napi::String::New(env, nvName));
  Napi::Array nvv = Napi::Array::New(env, 2);
  nvv.Set(0u, Napi::Number::New(env, nvMajor));
  nvv.Set(1u, Napi::Number::New(env, nvMinor));
  result.Set("nvrtcVersion", nvv);
  return result;
}

// ------------------------------------------------------------------------------------------ devices

Napi::Value CudaDriverNative::DeviceInfo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  CUdevice dev;
  Check(env, api_->cuDeviceGet(&dev, ordinal), "cuDeviceGet");
  char name[256] = {0};
  Check(env, api_->cuDeviceGetName(name, sizeof name - 1, dev), "cuDeviceGetName");
  int major = 0, minor = 0, sms = 0;
  Check(env, api_->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "cuDeviceGetAttribute");
  Check(env, api_->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "cuDeviceGetAttribute");
  Check(env, api_->cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev),
        "cuDeviceGetAttribute");
  size_t total = 0;
  Check(env, api_->cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem_v2");
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", Napi::String::New(env, name));
  o.Set("major", Napi::Number::New(env, major));
  o.Set("minor", Napi::Number::New(env, minor));
  o.Set("totalBytes", Napi::Number::New(env, static_cast<double>(total)));
  o.Set("multiprocessors", Napi::Number::New(env, sms));
  return o;
}

Napi::Value CudaDriverNative::MemInfo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  Open(env, ordinal);
  size_t freeBytes = 0, total = 0;
  Check(env, api_->cuMemGetInfo(&freeBytes, &total), "cuMemGetInfo_v2");
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::Number::New(env, static_cast<double>(freeBytes)));
  a.Set(1u, Napi::Number::New(env, static_cast<double>(total)));
  return a;
}

Napi::Value CudaDriverNative::Synchronize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  if (!devices_[ordinal].open) return env.Undefined();  // nothing was ever queued
  Device &d = Open(env, ordinal);
  Check(env, api_->cuStreamSynchronize(d.stream), "cuStreamSynchronize");
  return env.Undefined();
}

// ------------------------------------------------------------------------------------------- memory

Napi::Value CudaDriverNative::Malloc(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint64_t bytes = ReadBytes(env, info[1], "bytes");
  if (bytes == 0) return Napi::BigInt::New(env, static_cast<uint64_t>(0));
  Device &d = Open(env, ordinal);
  CUdeviceptr p = 0;
  Check(env, api_->cuMemAlloc(&p, static_cast<size_t>(bytes)), "cuMemAlloc_v2");
  d.allocations[p] = bytes;
  return Napi::BigInt::New(env, static_cast<uint64_t>(p));
}

Napi::Value CudaDriverNative::Free(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint64_t p = ReadPtr(env, info[1], "ptr");
  if (p == 0) return env.Undefined();
  Device &d = devices_[ordinal];
  auto it = d.allocations.find(p);
  if (it == d.allocations.end()) {
    throw Napi::RangeError::New(env, "graft cuda: free of " + std::to_string(p) +
                                         ", which is not a live allocation of this device");
  }
  Open(env, ordinal);
  Check(env, api_->cuMemFree(static_cast<CUdeviceptr>(p)), "cuMemFree_v2");
  d.allocations.erase(it);
  return env.Undefined();
}

Napi::Value CudaDriverNative::CopyHtoD(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint64_t dst = ReadPtr(env, info[1], "dst");
  uint8_t *src = nullptr;
  size_t bytes = 0;
  if (info.Length() < 3 || !ViewBytes(env, info[2], &src, &bytes)) {
    throw Napi::TypeError::New(env, "graft cuda: copyHtoD source must be an ArrayBufferView");
  }
  if (bytes == 0) return env.Undefined();
  Device &d = devices_[ordinal];
  CheckRange(env, d, dst, bytes, "copyHtoD destination");
  Open(env, ordinal);
  // Pageable source: the driver has staged it when the call returns, so the JS buffer may change after.
  Check(env, api_->cuMemcpyHtoDAsync(static_cast<CUdeviceptr>(dst), src, bytes, d.stream), "cuMemcpyHtoDAsync_v2");
  return env.Undefined();
}

Napi::Value CudaDriverNative::CopyDtoH(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint8_t *dst = nullptr;
  size_t bytes = 0;
  if (info.Length() < 2 || !ViewBytes(env, info[1], &dst, &bytes)) {
    throw Napi::TypeError::New(env, "graft cuda: copyDtoH destination must be an ArrayBufferView");
  }
  uint64_t src = ReadPtr(env, info[2], "src");
  if (bytes == 0) return env.Undefined();
  Device &d = devices_[ordinal];
  CheckRange(env, d, src, bytes, "copyDtoH source");
  Open(env, ordinal);
  Check(env, api_->cuMemcpyDtoHAsync(dst, static_cast<CUdeviceptr>(src), bytes, d.stream), "cuMemcpyDtoHAsync_v2");
  Check(env, api_->cuStreamSynchronize(d.stream), "cuStreamSynchronize");
  return env.Undefined();
}

Napi::Value CudaDriverNative::CopyDtoD(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint64_t dst = ReadPtr(env, info[1], "dst");
  uint64_t src = ReadPtr(env, info[2], "src");
  uint64_t bytes = ReadBytes(env, info[3], "bytes");
  if (bytes == 0) return env.Undefined();
  Device &d = devices_[ordinal];
  CheckRange(env, d, dst, bytes, "copyDtoD destination");
  CheckRange(env, d, src, bytes, "copyDtoD source");
  Open(env, ordinal);
  Check(env, api_->cuMemcpyDtoDAsync(static_cast<CUdeviceptr>(dst), static_cast<CUdeviceptr>(src), bytes, d.stream),
        "cuMemcpyDtoDAsync_v2");
  return env.Undefined();
}

Napi::Value CudaDriverNative::MemsetD8(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint64_t dst = ReadPtr(env, info[1], "dst");
  double value;
  if (!IsInteger(info[2], 0, 255, &value)) {
    throw Napi::RangeError::New(env, "graft cuda: memsetD8 value must be an integer in 0..255");
  }
  uint64_t bytes = ReadBytes(env, info[3], "bytes");
  if (bytes == 0) return env.Undefined();
  Device &d = devices_[ordinal];
  CheckRange(env, d, dst, bytes, "memsetD8 destination");
  Open(env, ordinal);
  Check(env, api_->cuMemsetD8Async(static_cast<CUdeviceptr>(dst), static_cast<unsigned char>(value), bytes, d.stream),
        "cuMemsetD8Async");
  return env.Undefined();
}

// ----------------------------------------------------------------------------------- NVRTC, modules

Napi::Value CudaDriverNative::Compile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  if (info.Length() < 3 || !info[1].IsString() || !info[2].IsString()) {
    throw Napi::TypeError::New(env, "graft cuda: compile(ordinal, source: string, programName: string)");
  }
  std::string source = info[1].As<Napi::String>().Utf8Value();
  std::string progName = info[2].As<Napi::String>().Utf8Value();
  if (source.find('\0') != std::string::npos || progName.find('\0') != std::string::npos) {
    throw Napi::RangeError::New(env, "graft cuda: CUDA source and program name must not contain NUL characters");
  }
  // Extra NVRTC options (e.g. --include-path=...); the architecture is this function's choice.
  std::vector<std::string> extra;
  if (info.Length() > 3 && !info[3].IsUndefined()) {
    if (!info[3].IsArray()) throw Napi::TypeError::New(env, "graft cuda: compile options must be an array of strings");
    Napi::Array a = info[3].As<Napi::Array>();
    for (uint32_t k = 0; k < a.Length(); k++) {
      Napi::Value v = a.Get(k);
      if (!v.IsString()) throw Napi::TypeError::New(env, "graft cuda: compile options must be strings");
      std::string o = v.As<Napi::String>().Utf8Value();
      if (o.empty() || o.find('\0') != std::string::npos || o.rfind("--gpu-architecture", 0) == 0 || o.rfind("-arch", 0) == 0) {
        throw Napi::RangeError::New(env, "graft cuda: bad compile option '" + o + "' (the architecture is chosen here)");
      }
      extra.push_back(o);
    }
  }
  CUdevice dev;
  Check(env, api_->cuDeviceGet(&dev, ordinal), "cuDeviceGet");
  int major = 0, minor = 0;
  Check(env, api_->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "cuDeviceGetAttribute");
  Check(env, api_->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "cuDeviceGetAttribute");
  const int sm = major * 10 + minor;

  // A cubin for the device's exact architecture when this NVRTC knows it; else PTX for the newest virtual
  // architecture it knows at or below the device's, which the driver compiles when the module is loaded.
  bool cubin = api_->nvrtcGetCUBIN != nullptr && api_->nvrtcGetCUBINSize != nullptr;
  int target = sm;
  if (api_->nvrtcGetNumSupportedArchs != nullptr && api_->nvrtcGetSupportedArchs != nullptr) {
    int n = 0;
    std::vector<int> archs;
    if (api_->nvrtcGetNumSupportedArchs(&n) == NVRTC_SUCCESS && n > 0 && n < 4096) {
      archs.resize(n);
      if (api_->nvrtcGetSupportedArchs(archs.data()) != NVRTC_SUCCESS) archs.clear();
    }
    if (!archs.empty()) {
      bool exact = false;
      int best = 0;
      for (int a : archs) {
        if (a == sm) exact = true;
        if (a <= sm && a > best) best = a;
      }
      if (!exact) {
        cubin = false;
        if (best == 0) {
          Napi::Error e = Napi::Error::New(
              env, "NVRTC " + std::to_string(nvrtcMajor_) + "." + std::to_string(nvrtcMinor_) +
                       " supports no architecture at or below the device's sm_" + std::to_string(sm));
          e.Set("nvrtcError", Napi::String::New(env, "NVRTC_ERROR_INVALID_OPTION"));
          e.Set("log", Napi::String::New(env, ""));
          throw e;
        }
        target = best;
      }
    }
  }
  const std::string arch = (cubin ? "sm_" : "compute_") + std::to_string(target);
  const std::string archOption = "--gpu-architecture=" + arch;

  auto nvFail = [&](nvrtcResult r, const char *call, const std::string &log) {
    const char *s = api_->nvrtcGetErrorString(r);
    std::string name = s != nullptr ? s : "NVRTC_ERROR_UNKNOWN";
    std::string msg = std::string(call) + " failed: " + name + " (" + progName + ", " + arch + ")";
    if (!log.empty()) msg += "\n" + log;
    Napi::Error e = Napi::Error::New(env, msg);
    e.Set("nvrtcError", Napi::String::New(env, name));
    e.Set("call", Napi::String::New(env, call));
    e.Set("log", Napi::String::New(env, log));
    return e;
  };
  nvrtcProgram prog = nullptr;
  nvrtcResult r = api_->nvrtcCreateProgram(&prog, source.c_str(), progName.c_str(), 0, nullptr, nullptr);
  if (r != NVRTC_SUCCESS) throw nvFail(r, "nvrtcCreateProgram", "");
  struct Guard {
    Api *api;
    nvrtcProgram *p;
    ~Guard() { api->nvrtcDestroyProgram(p); }
  } guard{api_, &prog};
  std::vector<const char *> options{archOption.c_str()};
  for (const std::string &o : extra) options.push_back(o.c_str());
  r = api_->nvrtcCompileProgram(prog, static_cast<int>(options.size()), options.data());
  std::string log;
  size_t logSize = 0;
  if (api_->nvrtcGetProgramLogSize(prog, &logSize) == NVRTC_SUCCESS && logSize > 1 && logSize < (64u << 20)) {
    std::vector<char> buf(logSize + 1, '\0');
    if (api_->nvrtcGetProgramLog(prog, buf.data()) == NVRTC_SUCCESS) log.assign(buf.data());
  }
  if (r != NVRTC_SUCCESS) throw nvFail(r, "nvrtcCompileProgram", log);
  size_t size = 0;
  r = cubin ? api_->nvrtcGetCUBINSize(prog, &size) : api_->nvrtcGetPTXSize(prog, &size);
  if (r != NVRTC_SUCCESS) throw nvFail(r, cubin ? "nvrtcGetCUBINSize" : "nvrtcGetPTXSize", log);
  Napi::Buffer<uint8_t> image = Napi::Buffer<uint8_t>::New(env, size);
  r = cubin ? api_->nvrtcGetCUBIN(prog, reinterpret_cast<char *>(image.Data()))
            : api_->nvrtcGetPTX(prog, reinterpret_cast<char *>(image.Data()));
  if (r != NVRTC_SUCCESS) throw nvFail(r, cubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX", log);
  Napi::Object o = Napi::Object::New(env);
  o.Set("image", image);
  o.Set("kind", Napi::String::New(env, cubin ? "cubin" : "ptx"));
  o.Set("arch", Napi::String::New(env, arch));
  o.Set("log", Napi::String::New(env, log));
  return o;
}

Napi::Value CudaDriverNative::LoadModule(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int ordinal = Ordinal(env, info[0]);
  uint8_t *data = nullptr;
  size_t bytes = 0;
  if (info.Length() < 2 || !ViewBytes(env, info[1], &data, &bytes)) {
    throw Napi::TypeError::New(env, "graft cuda: loadModule image must be an ArrayBufferView");
  }
  // The driver reads an image without being told its length: accept only an ELF object (a cubin) whose
  // parts all lie within the view, or NUL-terminated PTX text, so it cannot read past the view.
  bool elf = BoundedElf(data, bytes);
  bool ptx = !elf && PtxText(data, bytes);
  if (!elf && !ptx) {
    throw Napi::RangeError::New(env, "graft cuda: a module image must be a cubin (ELF within its bytes) or NUL-terminated PTX");
  }
  Open(env, ordinal);
  CUmodule m = nullptr;
  if (ptx && api_->cuModuleLoadDataEx != nullptr) {
    // PTX is compiled by the driver now: its error log says why when it cannot be.
    std::vector<char> jitLog(16384, '\0');
    int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {jitLog.data(), reinterpret_cast<void *>(static_cast<uintptr_t>(jitLog.size() - 1))};
    CUresult r = api_->cuModuleLoadDataEx(&m, data, 2, options, values);
    jitLog.back() = '\0';
    Check(env, r, "cuModuleLoadDataEx", std::string(jitLog.data()));
  } else {
    Check(env, api_->cuModuleLoadData(&m, data), "cuModuleLoadData");
  }
  modules_.push_back({ordinal, m});
  return Napi::Number::New(env, static_cast<double>(modules_.size() - 1));
}

Napi::Value CudaDriverNative::GetFunction(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RequireInit(env);
  double id;
  if (!IsInteger(info[0], 0, static_cast<double>(modules_.size()) - 1, &id)) {
    throw Napi::RangeError::New(env, "graft cuda: unknown module id");
  }
  if (info.Length() < 2 || !info[1].IsString()) throw Napi::TypeError::New(env, "graft cuda: function name must be a string");
  std::string name = info[1].As<Napi::String>().Utf8Value();
  if (name.empty() || name.find('\0') != std::string::npos) {
    throw Napi::RangeError::New(env, "graft cuda: bad function name");
  }
  const Module &mod = modules_[static_cast<size_t>(id)];
  Open(env, mod.ordinal);
  CUfunction fn = nullptr;
  Check(env, api_->cuModuleGetFunction(&fn, mod.module, name.c_str()), "cuModuleGetFunction");
  Function f{mod.ordinal, fn, name, -1, {}};
  if (api_->cuFuncGetParamInfo != nullptr) {
    // Parameters are listed until CUDA_ERROR_INVALID_VALUE (index past the last); any other error
    // (e.g. not supported for this module) leaves the count unknown.
    f.paramCount = 0;
    for (size_t i = 0; i < 4096; i++) {
      size_t offset = 0, size = 0;
      CUresult r = api_->cuFuncGetParamInfo(fn, i, &offset, &size);
      if (r != CUDA_SUCCESS) {
        if (r != CUDA_ERROR_INVALID_VALUE) f.paramCount = -1;
        break;
      }
      f.paramSizes.push_back(static_cast<uint32_t>(size));
      f.paramCount++;
    }
    if (f.paramCount < 0) f.paramSizes.clear();
  }
  functions_.push_back(std::move(f));
  return Napi::Number::New(env, static_cast<double>(functions_.size() - 1));
}

Napi::Value CudaDriverNative::Launch(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RequireInit(env);
  double id;
  if (!IsInteger(info[0], 0, static_cast<double>(functions_.size()) - 1, &id)) {
    throw Napi::RangeError::New(env, "graft cuda: unknown function id");
  }
  auto dims = [&](size_t i, const char *what, double hi, unsigned out[3]) {
    if (info.Length() <= i || !info[i].IsArray() || info[i].As<Napi::Array>().Length() != 3) {
      throw Napi::TypeError::New(env, std::string("graft cuda: ") + what + " must be an array of 3 numbers");
    }
    Napi::Array a = info[i].As<Napi::Array>();
    for (uint32_t k = 0; k < 3; k++) {
      double d;
      if (!IsInteger(a.Get(k), 1, hi, &d)) {
        throw Napi::RangeError::New(env, std::string("graft cuda: ") + what + " entries must be integers in 1.." +
                                             std::to_string(static_cast<long long>(hi)));
      }
      out[k] = static_cast<unsigned>(d);
    }
  };
  unsigned grid[3], block[3];
  dims(1, "grid", 2147483647.0, grid);
  dims(2, "block", 1024.0, block);
  double shared;
  if (!IsInteger(info[3], 0, 4294967295.0, &shared)) {
    throw Napi::RangeError::New(env, "graft cuda: sharedBytes must be a non-negative 32-bit integer");
  }
  // From here on no JS runs: the views' data are read as they are.
  uint8_t *kinds = nullptr, *slots = nullptr;
  size_t nKinds = 0, nSlots = 0;
  if (info.Length() < 6 || !info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !ViewBytes(env, info[4], &kinds, &nKinds) || !ViewBytes(env, info[5], &slots, &nSlots)) {
    throw Napi::TypeError::New(env, "graft cuda: launch needs kinds (Uint8Array) and slots (ArrayBufferView)");
  }
  if (nSlots != nKinds * 8) {
    throw Napi::RangeError::New(env, "graft cuda: slots must hold 8 bytes per argument");
  }
  const Function &f = functions_[static_cast<size_t>(id)];
  const Device &d = devices_[f.ordinal];
  if (f.paramCount >= 0 && static_cast<size_t>(f.paramCount) != nKinds) {
    throw Napi::RangeError::New(env, "graft cuda: kernel " + f.name + " takes " + std::to_string(f.paramCount) +
                                         " arguments, " + std::to_string(nKinds) + " given");
  }
  // When the driver cannot list the kernel's parameters, the pointer array is padded with pointers to zeros:
  // a kernel given too few arguments then reads zeros (null pointers fault on the device), never host memory
  // past the array.
  static const uint64_t kZeros[32] = {0};
  const size_t pad = f.paramCount >= 0 ? 0 : 64;
  argSlots_.assign(nKinds, 0);
  argPtrs_.assign(nKinds + pad, const_cast<uint64_t *>(kZeros));
  for (size_t i = 0; i < nKinds; i++) {
    uint32_t size;
    switch (kinds[i]) {
      case kPtr:
      case kI64:
      case kF64:
        size = 8;
        break;
      case kI32:
      case kF32:
        size = 4;
        break;
      default:
        throw Napi::RangeError::New(env, "graft cuda: unknown argument kind " + std::to_string(kinds[i]));
    }
    if (f.paramCount >= 0 && f.paramSizes[i] != size) {
      throw Napi::RangeError::New(env, "graft cuda: argument " + std::to_string(i) + " of kernel " + f.name +
                                           " has " + std::to_string(f.paramSizes[i]) + " bytes, " +
                                           std::to_string(size) + " given");
    }
    std::memcpy(&argSlots_[i], slots + 8 * i, 8);
    if (kinds[i] == kPtr && argSlots_[i] != 0) {
      // A pointer argument must point into (or just past) a live allocation of the kernel's device.
      uint64_t p = argSlots_[i];
      auto it = d.allocations.upper_bound(p);
      bool ok = false;
      if (it != d.allocations.begin()) {
        --it;
        ok = p - it->first <= it->second;
      }
      if (!ok) {
        throw Napi::RangeError::New(env, "graft cuda: pointer argument " + std::to_string(i) + " of kernel " + f.name +
                                             " is not inside a live allocation of its device");
      }
    }
    argPtrs_[i] = &argSlots_[i];  // 4-byte values sit in the slot's first bytes (little-endian hosts)
  }
  Device &dev = Open(env, f.ordinal);
  if (shared > kDefaultSharedLimit && api_->cuFuncSetAttribute != nullptr) {
    Check(env, api_->cuFuncSetAttribute(f.fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, static_cast<int>(shared)),
          "cuFuncSetAttribute");
  }
  Check(env,
        api_->cuLaunchKernel(f.fn, grid[0], grid[1], grid[2], block[0], block[1], block[2],
                             static_cast<unsigned>(shared), dev.stream, argPtrs_.empty() ? nullptr : argPtrs_.data(), nullptr),
        "cuLaunchKernel");
  return env.Undefined();
}

}  // namespace graft
