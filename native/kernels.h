// Compiled C kernels: shared objects opened with dlopen, kernels resolved with dlsym, and calls that hand a
// kernel the data pointers of JS ArrayBufferViews without copying.
//
// Every kernel has the C signature `int kernel(void **bufs)`: it returns 0, or a nonzero status code that
// the TypeScript side maps to a typed error (src/compiler/kernel-status.ts). Scalars travel in small buffers.
//
// Libraries and kernels are numbered (ids are indices into the tables below, never raw pointers), so any
// number coming from JS is checked before use: an unknown id, or a kernel of a closed library, throws a JS
// error instead of crashing. Each call carries, per buffer, the number of bytes the kernel touches (the
// compiler knows it); a smaller buffer is refused here as well as, with a typed error, on the TypeScript
// side (src/runtime/native.ts).
#pragma once

#include <napi.h>

#include <string>
#include <vector>

namespace graft {

using KernelFn = int (*)(void **);

class KernelTable {
 public:
  ~KernelTable();

  // open(path: string): number
  Napi::Value Open(const Napi::CallbackInfo &info);
  // symbol(lib: number, name: string): number
  Napi::Value Symbol(const Napi::CallbackInfo &info);
  // close(lib: number): boolean  (false when it was already closed)
  Napi::Value Close(const Napi::CallbackInfo &info);
  // call(kernel: number, buffers: ArrayBufferView[], minBytes: number[]): number
  Napi::Value Call(const Napi::CallbackInfo &info);
  // callMany(kernels: number[], bufferLists: ArrayBufferView[][], minBytesLists: number[][]): number
  Napi::Value CallMany(const Napi::CallbackInfo &info);
  // runTable(table: Float64Array, addresses: Float64Array, bytes: Float64Array): number
  // A program's kernels in one call, from addresses JS already knows (see RunTable in kernels.cc).
  Napi::Value RunTable(const Napi::CallbackInfo &info);
  // addressOf(view: ArrayBufferView): number — the data address of a view (byteOffset included).
  Napi::Value AddressOf(const Napi::CallbackInfo &info);

 private:
  struct Library {
    void *handle;  // nullptr once closed
    std::string path;
  };
  struct Kernel {
    size_t lib;
    KernelFn fn;
    std::string name;
  };

  size_t LibraryId(Napi::Env env, const Napi::Value &v) const;
  const Kernel &KernelAt(Napi::Env env, const Napi::Value &v) const;
  // The buffers of one kernel call, as read from JS.
  struct Args {
    std::vector<Napi::Value> views;
    std::vector<double> minBytes;
  };
  // Reads buffers[i] and minBytes[i] from the JS arrays (this may run JS code: element getters).
  void Collect(Napi::Env env, const Napi::Value &list, const Napi::Value &minBytes, Args &args) const;
  // Appends the views' data pointers (byteOffset included) to `out`, after checking that view i holds at
  // least minBytes[i] bytes (RangeError otherwise). Runs no JS code.
  void Resolve(Napi::Env env, const Args &args, std::vector<void *> &out) const;

  std::vector<Library> libs_;
  std::vector<Kernel> kernels_;
  // Pointer array reused by call(). Filled only after the arguments are read, when no JS can run and so
  // no nested call can reuse it.
  std::vector<void *> scratch_;
};

}  // namespace graft
