#include "host_memory.h"

#include <time.h>

#include <cmath>
#include <cstdint>

namespace graft {

Napi::Value AddressMod(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "graft native: addressMod(view: ArrayBufferView, modulus: number)");
  }
  double m = info[1].As<Napi::Number>().DoubleValue();
  if (!(m >= 1) || m != std::floor(m) || m > 2147483648.0) {
    throw Napi::RangeError::New(env, "graft native: addressMod needs an integer modulus in 1..2^31");
  }
  void *data = nullptr;
  bool is = false;
  if (napi_is_typedarray(env, info[0], &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, info[0], &type, &length, &data, &ab, &offset), Napi::Value());
  } else if (napi_is_dataview(env, info[0], &is) == napi_ok && is) {
    size_t length, offset;
    napi_value ab;
    NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, info[0], &length, &data, &ab, &offset), Napi::Value());
  } else {
    throw Napi::TypeError::New(env, "graft native: addressMod needs a typed array or DataView");
  }
  uint64_t mod = static_cast<uint64_t>(m);
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(data) % mod));
}

Napi::Value NowNs(const Napi::CallbackInfo &info) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Napi::Number::New(info.Env(), static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec));
}

}  // namespace graft
