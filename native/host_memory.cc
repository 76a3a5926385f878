#include "host_memory.h"

#include <sys/mman.h>
#include <time.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace graft {

namespace {

// 64 bytes: a cache line, and the width of an AVX-512 vector, so kernels can use aligned vector loads.
constexpr size_t kAlignment = 64;
// From this size on, memory comes from mmap: pages are zero already and committed lazily on first touch,
// so a buffer a kernel is about to overwrite is not written twice (and first touch happens in the kernel's
// own threads, which places pages near the cores that use them).
constexpr size_t kMmapThreshold = 256 * 1024;

struct Block {
  size_t bytes;
  bool mapped;
};

void FreeBlock(Napi::Env env, void *data, Block *block) {
  if (block->mapped) {
    munmap(data, block->bytes);
  } else {
    std::free(data);
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(block->bytes));
  delete block;
}

}  // namespace

Napi::Value AlignedAlloc(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "graft native: alignedAlloc(bytes: number)");
  double d = info[0].As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != std::floor(d) || d > 9007199254740991.0) {
    throw Napi::RangeError::New(env, "graft native: alignedAlloc needs a non-negative integer byte count");
  }
  size_t bytes = static_cast<size_t>(d);
  if (bytes == 0) return Napi::ArrayBuffer::New(env, 0);

  void *data = nullptr;
  bool mapped = bytes >= kMmapThreshold;
  if (mapped) {
    data = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) data = nullptr;
  } else {
    size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (posix_memalign(&data, kAlignment, rounded) != 0) data = nullptr;
    if (data != nullptr) std::memset(data, 0, rounded);
  }
  if (data == nullptr) {
    throw Napi::RangeError::New(env, "graft native: out of memory allocating " + std::to_string(bytes) + " bytes");
  }
  Block *block = new Block{bytes, mapped};
  Napi::ArrayBuffer ab;
  try {
    ab = Napi::ArrayBuffer::New(env, data, bytes, FreeBlock, block);
  } catch (...) {
    if (mapped) munmap(data, bytes); else std::free(data);
    delete block;
    throw;
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  return ab;
}

Napi::Value NowNs(const Napi::CallbackInfo &info) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Napi::Number::New(info.Env(), static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec));
}

}  // namespace graft
