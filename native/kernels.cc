#include "kernels.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdint>

namespace graft {

namespace {

// OpenMP runtimes start a pool of worker threads that park inside the runtime's code. If the runtime was
// loaded only through a kernel library, dlclose of the last such library would unmap it under those threads
// and crash the process later. Pinning the runtime (RTLD_NOLOAD|RTLD_NODELETE on an already loaded library
// marks it as never unloaded) after every open keeps it resident for the life of the process.
void PinThreadRuntimes() {
#ifdef RTLD_NODELETE
  static const char *const kRuntimes[] = {"libgomp.so.1", "libomp.so", "libomp.so.5", "libiomp5.so",
                                          "libgomp.1.dylib", "libomp.dylib"};
  for (const char *name : kRuntimes) {
    void *h = dlopen(name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    if (h != nullptr) dlclose(h);  // drops the reference just taken; NODELETE stays
  }
#endif
}

// An id coming from JS: a non-negative integer that fits the table.
bool ToIndex(const Napi::Value &v, size_t limit, size_t *out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != std::floor(d) || d >= static_cast<double>(limit)) return false;
  *out = static_cast<size_t>(d);
  return true;
}

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:  // float64, bigint64, biguint64
      return 8;
  }
}

// Data pointer (already advanced by the view's byteOffset, as both info calls return it) and byte length
// of an ArrayBufferView. False when `v` is not one. Runs no JS code.
bool ViewData(napi_env env, napi_value v, void **data, size_t *bytes) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok) return false;
    *bytes = length * ElementSize(type);
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_value ab;
    size_t offset;
    return napi_get_dataview_info(env, v, bytes, data, &ab, &offset) == napi_ok;
  }
  return false;
}

}  // namespace

KernelTable::~KernelTable() {
  // The environment is going away (process exit or worker end). Libraries are left mapped on purpose:
  // unloading code during teardown gains nothing and risks running destructors in a half-torn-down process.
}

size_t KernelTable::LibraryId(Napi::Env env, const Napi::Value &v) const {
  size_t id;
  if (!ToIndex(v, libs_.size(), &id)) throw Napi::RangeError::New(env, "graft native: unknown library id");
  return id;
}

const KernelTable::Kernel &KernelTable::KernelAt(Napi::Env env, const Napi::Value &v) const {
  size_t id;
  if (!ToIndex(v, kernels_.size(), &id)) throw Napi::RangeError::New(env, "graft native: unknown kernel id");
  const Kernel &k = kernels_[id];
  if (libs_[k.lib].handle == nullptr) {
    throw Napi::Error::New(env, "graft native: kernel " + k.name + " called after its library " +
                                    libs_[k.lib].path + " was closed");
  }
  return k;
}

void KernelTable::Collect(Napi::Env env, const Napi::Value &list, const Napi::Value &minBytes, Args &args) const {
  if (!list.IsArray() || !minBytes.IsArray()) {
    throw Napi::TypeError::New(env, "graft native: buffers and minBytes must be arrays");
  }
  Napi::Array bufs = list.As<Napi::Array>();
  Napi::Array mins = minBytes.As<Napi::Array>();
  uint32_t n = bufs.Length();
  if (mins.Length() != n) throw Napi::RangeError::New(env, "graft native: one minBytes entry per buffer needed");
  for (uint32_t i = 0; i < n; i++) {
    args.views.push_back(bufs.Get(i));
    Napi::Value min = mins.Get(i);
    args.minBytes.push_back(min.IsNumber() ? min.As<Napi::Number>().DoubleValue() : -1);
  }
}

void KernelTable::Resolve(Napi::Env env, const Args &args, std::vector<void *> &out) const {
  for (size_t i = 0; i < args.views.size(); i++) {
    void *data = nullptr;
    size_t bytes = 0;
    if (!ViewData(env, args.views[i], &data, &bytes)) {
      throw Napi::TypeError::New(env, "graft native: buffer " + std::to_string(i) +
                                          " is not an ArrayBufferView (typed array or DataView)");
    }
    double need = args.minBytes[i];
    if (!(need >= 0) || need > static_cast<double>(bytes)) {
      throw Napi::RangeError::New(env, "graft native: buffer " + std::to_string(i) + " has " +
                                           std::to_string(bytes) + " bytes, fewer than the kernel touches");
    }
    out.push_back(data);
  }
}

Napi::Value KernelTable::Open(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "graft native: open(path: string)");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  dlerror();
  void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    const char *err = dlerror();
    throw Napi::Error::New(env, std::string("graft native: cannot load ") + path + ": " +
                                    (err != nullptr ? err : "unknown dlopen error"));
  }
  PinThreadRuntimes();
  libs_.push_back(Library{h, path});
  return Napi::Number::New(env, static_cast<double>(libs_.size() - 1));
}

Napi::Value KernelTable::Symbol(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "graft native: symbol(lib: number, name: string)");
  }
  size_t lib = LibraryId(env, info[0]);
  std::string name = info[1].As<Napi::String>().Utf8Value();
  if (libs_[lib].handle == nullptr) {
    throw Napi::Error::New(env, "graft native: library " + libs_[lib].path + " is closed");
  }
  dlerror();
  void *fn = dlsym(libs_[lib].handle, name.c_str());
  const char *err = dlerror();
  if (err != nullptr || fn == nullptr) {
    throw Napi::Error::New(env, "graft native: no kernel " + name + " in " + libs_[lib].path +
                                    (err != nullptr ? std::string(": ") + err : std::string()));
  }
  kernels_.push_back(Kernel{lib, reinterpret_cast<KernelFn>(fn), name});
  return Napi::Number::New(env, static_cast<double>(kernels_.size() - 1));
}

Napi::Value KernelTable::Close(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  size_t lib = LibraryId(env, info.Length() > 0 ? info[0] : env.Undefined());
  if (libs_[lib].handle == nullptr) return Napi::Boolean::New(env, false);
  void *h = libs_[lib].handle;
  libs_[lib].handle = nullptr;  // from here on its kernels throw instead of being called
  if (dlclose(h) != 0) {
    const char *err = dlerror();
    throw Napi::Error::New(env, "graft native: cannot close " + libs_[lib].path + ": " +
                                    (err != nullptr ? err : "unknown dlclose error"));
  }
  return Napi::Boolean::New(env, true);
}

// Arguments are read in two phases. Reading array elements may run JS (getters), which could close a
// library or detach a buffer; so every element is read first, and only then, with no JS running any more,
// are the kernel ids checked and the views turned into pointers and checked against their sizes.
Napi::Value KernelTable::Call(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) {
    throw Napi::TypeError::New(env, "graft native: call(kernel: number, buffers: ArrayBufferView[], minBytes: number[])");
  }
  // Local, not reused: a getter run by Collect may call into the addon again.
  Args args;
  Collect(env, info[1], info[2], args);
  const Kernel &k = KernelAt(env, info[0]);
  scratch_.clear();
  Resolve(env, args, scratch_);
  if (scratch_.empty()) scratch_.push_back(nullptr);  // data() of an empty vector may be null
  return Napi::Number::New(env, k.fn(scratch_.data()));
}

// Runs kernels[i](bufferLists[i]) in order and stops at the first nonzero status. Returns 0 when all
// returned 0, else `index * 256 + code` where index is the position of the failing kernel and code its
// status clamped to 1..255 (a status outside that range reads as 255). Every id and buffer is checked
// before the first kernel runs, so a bad argument never leaves a program half run.
Napi::Value KernelTable::CallMany(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsArray() || !info[1].IsArray() || !info[2].IsArray()) {
    throw Napi::TypeError::New(
        env, "graft native: callMany(kernels: number[], bufferLists: ArrayBufferView[][], minBytesLists: number[][])");
  }
  Napi::Array ks = info[0].As<Napi::Array>();
  Napi::Array lists = info[1].As<Napi::Array>();
  Napi::Array mins = info[2].As<Napi::Array>();
  uint32_t n = ks.Length();
  if (lists.Length() != n || mins.Length() != n) {
    throw Napi::RangeError::New(env, "graft native: callMany needs one buffer list and one minBytes list per kernel");
  }
  std::vector<Napi::Value> ids;
  std::vector<Args> args(n);
  ids.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    ids.push_back(ks.Get(i));
    Collect(env, lists.Get(i), mins.Get(i), args[i]);
  }
  // No JS runs from here on.
  std::vector<KernelFn> fns;
  std::vector<size_t> starts;
  std::vector<void *> ptrs;
  fns.reserve(n);
  starts.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    fns.push_back(KernelAt(env, ids[i]).fn);
    starts.push_back(ptrs.size());
    Resolve(env, args[i], ptrs);
  }
  ptrs.push_back(nullptr);  // keeps ptrs.data() + start valid for a kernel with no buffers at the end
  for (uint32_t i = 0; i < n; i++) {
    int status = fns[i](ptrs.data() + starts[i]);
    if (status != 0) {
      int code = status >= 1 && status <= 255 ? status : 255;
      return Napi::Number::New(env, static_cast<double>(i) * 256.0 + code);
    }
  }
  return Napi::Number::New(env, 0);
}

// A run of kernels whose buffers are given as addresses and sizes per slot rather than as views: a view costs
// four N-API calls to resolve (~0.45 us each argument), the kernels of a small program do almost nothing, and
// a tiny training step spent most of its time here. `table` is
//   [count, then per kernel: id, nArgs, then per argument: slot, minBytes]
// and `addresses[slot]` / `bytes[slot]` say where each slot's memory is and how much of it there is. JS takes
// them from memory it holds alive during this call (src/runtime/program.ts). Everything is checked before the
// first kernel runs: ids, slots in range, every buffer at least as large as its kernel touches, a non-null
// address wherever bytes are touched. Returns 0, or index * 256 + code for the first kernel that failed.
Napi::Value KernelTable::RunTable(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  double *tab = nullptr, *addr = nullptr, *bytes = nullptr;
  size_t nTab = 0, nAddr = 0, nBytes = 0;
  auto f64 = [&](size_t i, double **data, size_t *n) {
    bool is = false;
    if (info.Length() <= i || napi_is_typedarray(env, info[i], &is) != napi_ok || !is) return false;
    napi_typedarray_type type;
    napi_value ab;
    size_t offset;
    void *d = nullptr;
    if (napi_get_typedarray_info(env, info[i], &type, n, &d, &ab, &offset) != napi_ok || type != napi_float64_array) return false;
    *data = static_cast<double *>(d);
    return true;
  };
  if (!f64(0, &tab, &nTab) || !f64(1, &addr, &nAddr) || !f64(2, &bytes, &nBytes) || nAddr != nBytes) {
    throw Napi::TypeError::New(env, "graft native: runTable(table: Float64Array, addresses: Float64Array, bytes: Float64Array of the same length)");
  }
  auto bad = [&](const std::string &what) { return Napi::RangeError::New(env, "graft native: runTable: " + what); };
  auto index = [](double d, size_t limit, size_t *out) {
    if (!(d >= 0) || d != std::floor(d) || d >= static_cast<double>(limit)) return false;
    *out = static_cast<size_t>(d);
    return true;
  };
  size_t count = 0;
  if (nTab < 1 || !index(tab[0], nTab, &count)) throw bad("bad kernel count");
  // Check everything first.
  std::vector<KernelFn> fns;
  fns.reserve(count);
  size_t pos = 1, totalArgs = 0;
  for (size_t k = 0; k < count; k++) {
    size_t id = 0, nArgs = 0;
    if (pos + 2 > nTab || !index(tab[pos], kernels_.size(), &id) || !index(tab[pos + 1], nTab, &nArgs) || pos + 2 + 2 * nArgs > nTab) {
      throw bad("kernel " + std::to_string(k) + ": bad id or argument count");
    }
    const Kernel &kern = kernels_[id];
    if (libs_[kern.lib].handle == nullptr) throw Napi::Error::New(env, "graft native: kernel " + kern.name + " called after its library " + libs_[kern.lib].path + " was closed");
    fns.push_back(kern.fn);
    pos += 2;
    for (size_t a = 0; a < nArgs; a++, pos += 2) {
      size_t slot = 0;
      double need = tab[pos + 1];
      if (!index(tab[pos], nAddr, &slot)) throw bad("kernel " + kern.name + ": slot out of range");
      if (!(need >= 0) || need > bytes[slot]) {
        throw bad("kernel " + kern.name + ": buffer " + std::to_string(a) + " has " + std::to_string(static_cast<size_t>(bytes[slot] >= 0 ? bytes[slot] : 0)) + " bytes, fewer than the kernel touches");
      }
      double ad = addr[slot];
      if (!(ad >= 0) || ad != std::floor(ad) || ad > 9007199254740991.0 || (need > 0 && ad == 0)) throw bad("kernel " + kern.name + ": buffer " + std::to_string(a) + " has no valid address");
    }
    totalArgs += nArgs;
  }
  // No JS runs from here on.
  scratch_.clear();
  scratch_.reserve(totalArgs + 1);
  std::vector<size_t> starts;
  starts.reserve(count);
  pos = 1;
  for (size_t k = 0; k < count; k++) {
    size_t nArgs = static_cast<size_t>(tab[pos + 1]);
    pos += 2;
    starts.push_back(scratch_.size());
    for (size_t a = 0; a < nArgs; a++, pos += 2) scratch_.push_back(reinterpret_cast<void *>(static_cast<uintptr_t>(addr[static_cast<size_t>(tab[pos])])));
  }
  scratch_.push_back(nullptr);
  for (size_t k = 0; k < count; k++) {
    int status = fns[k](scratch_.data() + starts[k]);
    if (status != 0) {
      int code = status >= 1 && status <= 255 ? status : 255;
      return Napi::Number::New(env, static_cast<double>(k) * 256.0 + code);
    }
  }
  return Napi::Number::New(env, 0);
}

Napi::Value KernelTable::AddressOf(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  void *data = nullptr;
  size_t bytes = 0;
  if (info.Length() < 1 || !ViewData(env, info[0], &data, &bytes)) throw Napi::TypeError::New(env, "graft native: addressOf(view: ArrayBufferView)");
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(data)));
}

}  // namespace graft

