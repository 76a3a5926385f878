#include "host_pool.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <v8.h>

#include <cmath>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace graft {

namespace {

constexpr size_t kAlign = 64;
constexpr size_t kHuge = size_t(2) << 20;
constexpr size_t kHugeMin = size_t(4) << 20;
constexpr int kTags = 8;

struct Block {
  void *data;
  size_t capacity;
  size_t bytes;  // asked for by the live owner
  int tag;
};

struct Pool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<Block *>> free;
  size_t cachedBytes = 0;
  size_t cachedBlocks = 0;
  size_t limit = size_t(1) << 30;
  size_t liveBlocks[kTags] = {};
  size_t liveBytes[kTags] = {};
};

// One pool per process: blocks may be freed by V8 on any thread, and the memory is the process's.
Pool &pool() {
  static Pool *p = new Pool();  // never destroyed: deleters may run during shutdown
  return *p;
}

// The capacity a request is served from: 64-byte steps below 4 KiB, then four classes per power of two
// (multiples of 4 KiB), so a freed block fits later requests of nearby sizes.
size_t ClassOf(size_t bytes) {
  if (bytes <= 4096) return bytes == 0 ? kAlign : (bytes + kAlign - 1) / kAlign * kAlign;
  size_t p = 4096;
  while (p * 2 < bytes) p *= 2;  // p < bytes <= 2p
  const size_t q = p / 4;
  size_t c = (bytes + q - 1) / q * q;
  return (c + 4095) / 4096 * 4096;
}

void *FreshMemory(size_t capacity) {
  void *p = nullptr;
  if (capacity >= kHugeMin) {
    if (posix_memalign(&p, kHuge, capacity) != 0) return nullptr;
    madvise(p, capacity, MADV_HUGEPAGE);  // advice only: small pages work too
    return p;
  }
  if (posix_memalign(&p, kAlign, capacity) != 0) return nullptr;
  return p;
}

// Called by V8 when it frees an ArrayBuffer made by AllocHost (any thread).
void ReturnBlock(void *data, size_t length, void *deleterData) {
  Block *b = static_cast<Block *>(deleterData);
  Pool &P = pool();
  std::lock_guard<std::mutex> lock(P.mutex);
  P.liveBlocks[b->tag]--;
  P.liveBytes[b->tag] -= b->bytes;
  if (P.cachedBytes + b->capacity > P.limit) {
    free(b->data);
    delete b;
    return;
  }
  P.free[b->capacity].push_back(b);
  P.cachedBytes += b->capacity;
  P.cachedBlocks++;
}

Block *TakeBlock(size_t bytes, int tag) {
  const size_t capacity = ClassOf(bytes);
  Pool &P = pool();
  Block *b = nullptr;
  {
    std::lock_guard<std::mutex> lock(P.mutex);
    auto it = P.free.find(capacity);
    if (it != P.free.end() && !it->second.empty()) {
      b = it->second.back();
      it->second.pop_back();
      P.cachedBytes -= capacity;
      P.cachedBlocks--;
    }
  }
  if (b == nullptr) {
    void *data = FreshMemory(capacity);
    if (data == nullptr) {
      // Give the cache back to the OS and try once more before reporting no memory.
      std::vector<Block *> all;
      {
        std::lock_guard<std::mutex> lock(P.mutex);
        for (auto &kv : P.free) all.insert(all.end(), kv.second.begin(), kv.second.end());
        P.free.clear();
        P.cachedBytes = 0;
        P.cachedBlocks = 0;
      }
      for (Block *c : all) {
        free(c->data);
        delete c;
      }
      data = FreshMemory(capacity);
      if (data == nullptr) return nullptr;
    }
    b = new Block{data, capacity, 0, 0};
  }
  b->bytes = bytes;
  b->tag = tag;
  std::lock_guard<std::mutex> lock(P.mutex);
  P.liveBlocks[tag]++;
  P.liveBytes[tag] += bytes;
  return b;
}

bool NumberArg(const Napi::CallbackInfo &info, size_t i, double lo, double hi, double *out) {
  if (info.Length() <= i || !info[i].IsNumber()) return false;
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= lo && v <= hi) || v != std::floor(v)) return false;
  *out = v;
  return true;
}

}  // namespace

// Where allocHost reports addresses (per thread: each worker has its own isolate and JS memory).
thread_local double *tMailbox = nullptr;

Napi::Value HostAddressMailbox(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bool is = false;
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *data = nullptr;
  napi_value ab;
  if (info.Length() < 1 || napi_is_typedarray(env, info[0], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, info[0], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_float64_array || length < 1) {
    throw Napi::TypeError::New(env, "graft native: hostAddressMailbox(box: Float64Array of at least one element)");
  }
  tMailbox = static_cast<double *>(data);
  return env.Undefined();
}

Napi::Value AllocHost(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  double bytes = 0, tag = 0;
  // 2^53 bytes is beyond any machine; the caller checks sizes against the platform's limit first.
  if (!NumberArg(info, 0, 0, 9007199254740991.0, &bytes) || !NumberArg(info, 1, 0, kTags - 1, &tag)) {
    throw Napi::TypeError::New(env, "graft native: allocHost(bytes: integer >= 0, tag: integer 0..7)");
  }
  Block *b = TakeBlock(static_cast<size_t>(bytes), static_cast<int>(tag));
  if (b == nullptr) return env.Null();  // out of memory: the caller raises a typed error
  if (tMailbox != nullptr) *tMailbox = static_cast<double>(reinterpret_cast<uintptr_t>(b->data));
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  // A SharedArrayBuffer, because V8 does not count shared backing stores as external memory of the isolate:
  // a plain ArrayBuffer's bytes count, and every 64 MiB of them allocated since the last full GC triggers
  // another (a 64 MiB result per call would pay a mark-compact per call). The pool counts instead, and
  // src/runtime/host-memory.ts asks for a collection when live memory grows (see there).
  std::unique_ptr<v8::BackingStore> store = v8::SharedArrayBuffer::NewBackingStore(b->data, b->bytes, ReturnBlock, b);
  v8::Local<v8::SharedArrayBuffer> ab = v8::SharedArrayBuffer::New(isolate, std::move(store));
  // A napi_value is a v8::Local<v8::Value> in Node's implementation (js_native_api_v8.h).
  return Napi::Value(env, reinterpret_cast<napi_value>(*ab));
}

Napi::Value HostMemoryStats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Pool &P = pool();
  std::lock_guard<std::mutex> lock(P.mutex);
  Napi::Array out = Napi::Array::New(env, 3 + 2 * kTags);
  out.Set(uint32_t(0), Napi::Number::New(env, static_cast<double>(P.cachedBlocks)));
  out.Set(uint32_t(1), Napi::Number::New(env, static_cast<double>(P.cachedBytes)));
  out.Set(uint32_t(2), Napi::Number::New(env, static_cast<double>(P.limit)));
  for (int t = 0; t < kTags; t++) {
    out.Set(uint32_t(3 + 2 * t), Napi::Number::New(env, static_cast<double>(P.liveBlocks[t])));
    out.Set(uint32_t(4 + 2 * t), Napi::Number::New(env, static_cast<double>(P.liveBytes[t])));
  }
  return out;
}

Napi::Value EmptyHostCache(const Napi::CallbackInfo &info) {
  Pool &P = pool();
  std::vector<Block *> all;
  size_t released = 0;
  {
    std::lock_guard<std::mutex> lock(P.mutex);
    for (auto &kv : P.free) all.insert(all.end(), kv.second.begin(), kv.second.end());
    P.free.clear();
    released = P.cachedBytes;
    P.cachedBytes = 0;
    P.cachedBlocks = 0;
  }
  for (Block *b : all) {
    free(b->data);
    delete b;
  }
  return Napi::Number::New(info.Env(), static_cast<double>(released));
}

Napi::Value SetHostCacheLimit(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  double limit = 0;
  if (!NumberArg(info, 0, 0, 9007199254740991.0, &limit)) {
    throw Napi::TypeError::New(env, "graft native: setHostCacheLimit(bytes: integer >= 0)");
  }
  Pool &P = pool();
  bool over;
  {
    std::lock_guard<std::mutex> lock(P.mutex);
    P.limit = static_cast<size_t>(limit);
    over = P.cachedBytes > P.limit;
  }
  if (over) EmptyHostCache(info);
  return env.Undefined();
}

}  // namespace graft
