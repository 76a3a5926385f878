/**
 * The header the CUDA emulator compiles generated CUDA C against (as C++, with the host compiler): the
 * built-in variables and qualifiers, `__shared__`, `__syncthreads()`, warp shuffles, atomics and the math
 * functions graft's kernels use, and the launcher that runs every block and thread of a grid.
 *
 * For correctness only. Blocks run one after another on the calling thread. A kernel without barriers or
 * shuffles runs its threads as plain calls; one with them runs the threads of a block as coroutines
 * (ucontext, 64 KiB stacks): `__syncthreads()` suspends a thread until every live thread of its block has
 * arrived, a shuffle until every live thread of its warp has. Coroutines rather than splitting the kernel at
 * barriers: the kernel's C++ is compiled as written, so a barrier inside a loop or a branch needs no analysis.
 * `__shared__` variables are function-level statics: shared by the threads of a block (blocks run in turn).
 * Atomics are plain read-modify-writes (one host thread runs everything).
 */
export const EMULATOR_HEADER = String.raw`/* graft CUDA emulator: see src/runtime/cuda/emulator-header.ts */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include <ucontext.h>
#define GRAFT_CUDA_EMU 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __restrict__ __restrict
#define __shared__ static
#define __launch_bounds__(...)
struct dim3 { unsigned x, y, z; };
typedef dim3 uint3;
struct __attribute__((aligned(16))) float4 { float x, y, z, w; };
static dim3 threadIdx, blockIdx, blockDim, gridDim;
static const int warpSize = 32;

enum { EMU_RUN = 0, EMU_BAR = 1, EMU_WARP = 2, EMU_DONE = 3 };
struct EmuThread { ucontext_t ctx; dim3 tid; int state; int lin; };
static EmuThread *emu_threads = 0;
static char *emu_stacks = 0;
static int emu_capacity = 0, emu_nthreads = 0, emu_cur = 0, emu_coop = 0, emu_fault = 0;
static ucontext_t emu_sched;
static const size_t EMU_STACK = 64 * 1024;
static void (*emu_thread_fn)(void) = 0;
static uint64_t emu_xch[1024];

static void emu_yield(int state) {
  if (!emu_coop) { emu_fault = 102; return; }
  EmuThread *t = &emu_threads[emu_cur];
  t->state = state;
  swapcontext(&t->ctx, &emu_sched);
}
static inline void __syncthreads(void) { emu_yield(EMU_BAR); }
static inline void __syncwarp(unsigned = 0xffffffffu) { emu_yield(EMU_WARP); }
static inline void __threadfence(void) {}
static inline void __threadfence_block(void) {}

/* A value of lane src of this warp (this thread's own when src is outside the block). */
template <class T> static T emu_shfl(T v, int src) {
  const int lin = emu_threads[emu_cur].lin;
  memcpy(&emu_xch[lin], &v, sizeof(T));
  emu_yield(EMU_WARP);
  int s = (lin & ~31) + src;
  if (s < 0 || s >= emu_nthreads) s = lin;
  T r;
  memcpy(&r, &emu_xch[s], sizeof(T));
  emu_yield(EMU_WARP);
  return r;
}
static inline int emu_lane(void) { return emu_threads[emu_cur].lin & 31; }
template <class T> static T __shfl_sync(unsigned, T v, int srcLane, int width = 32) {
  const int lane = emu_lane();
  return emu_shfl(v, (lane & ~(width - 1)) + (srcLane & (width - 1)));
}
template <class T> static T __shfl_down_sync(unsigned, T v, unsigned delta, int width = 32) {
  const int lane = emu_lane();
  return emu_shfl(v, (lane & (width - 1)) + (int)delta < width ? lane + (int)delta : lane);
}
template <class T> static T __shfl_up_sync(unsigned, T v, unsigned delta, int width = 32) {
  const int lane = emu_lane();
  return emu_shfl(v, (lane & (width - 1)) >= (int)delta ? lane - (int)delta : lane);
}
template <class T> static T __shfl_xor_sync(unsigned, T v, int laneMask, int width = 32) {
  const int lane = emu_lane();
  const int src = lane ^ laneMask;
  return emu_shfl(v, (src & ~(width - 1)) == (lane & ~(width - 1)) ? src : lane);
}

template <class T> static inline T atomicAdd(T *p, T v) { T o = *p; *p = o + v; return o; }
template <class T> static inline T atomicSub(T *p, T v) { T o = *p; *p = o - v; return o; }
template <class T> static inline T atomicMax(T *p, T v) { T o = *p; if (v > o) *p = v; return o; }
template <class T> static inline T atomicMin(T *p, T v) { T o = *p; if (v < o) *p = v; return o; }
template <class T> static inline T atomicOr(T *p, T v) { T o = *p; *p = o | v; return o; }
template <class T> static inline T atomicAnd(T *p, T v) { T o = *p; *p = o & v; return o; }
template <class T> static inline T atomicExch(T *p, T v) { T o = *p; *p = v; return o; }
template <class T> static inline T atomicCAS(T *p, T cmp, T v) { T o = *p; if (o == cmp) *p = v; return o; }

template <class T> static inline T min(T a, T b) { return a < b ? a : b; }
template <class T> static inline T max(T a, T b) { return a > b ? a : b; }
template <class T> static inline T __ldg(const T *p) { return *p; }
#define __expf expf
#define __logf logf
#define __sinf sinf
#define __cosf cosf
static inline float __fdividef(float a, float b) { return a / b; }
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
static inline double rsqrt(double x) { return 1.0 / sqrt(x); }
static inline float __saturatef(float x) { return x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x; }
static inline float __int_as_float(int x) { float f; memcpy(&f, &x, 4); return f; }
static inline int __float_as_int(float x) { int i; memcpy(&i, &x, 4); return i; }
static inline double __longlong_as_double(long long x) { double d; memcpy(&d, &x, 8); return d; }
static inline long long __double_as_longlong(double x) { long long i; memcpy(&i, &x, 8); return i; }

static void emu_entry(void) {
  emu_thread_fn();
  emu_threads[emu_cur].state = EMU_DONE;
}

/* Runs one block; returns nonzero when its threads can make no progress (a barrier not every thread reaches). */
static int emu_block(void) {
  const int n = emu_nthreads;
  for (int i = 0; i < n; i++) {
    EmuThread *t = &emu_threads[i];
    t->lin = i;
    t->tid.x = i % blockDim.x;
    t->tid.y = (i / blockDim.x) % blockDim.y;
    t->tid.z = i / (blockDim.x * blockDim.y);
    t->state = EMU_RUN;
  }
  if (!emu_coop) {
    for (int i = 0; i < n; i++) {
      emu_cur = i;
      threadIdx = emu_threads[i].tid;
      emu_thread_fn();
      if (emu_fault) return emu_fault;
    }
    return 0;
  }
  for (int i = 0; i < n; i++) {
    EmuThread *t = &emu_threads[i];
    getcontext(&t->ctx);
    t->ctx.uc_stack.ss_sp = emu_stacks + (size_t)i * EMU_STACK;
    t->ctx.uc_stack.ss_size = EMU_STACK;
    t->ctx.uc_link = &emu_sched;
    makecontext(&t->ctx, emu_entry, 0);
  }
  for (;;) {
    for (int i = 0; i < n; i++) {
      if (emu_threads[i].state != EMU_RUN) continue;
      emu_cur = i;
      threadIdx = emu_threads[i].tid;
      swapcontext(&emu_sched, &emu_threads[i].ctx);
    }
    int done = 0, atBar = 0;
    for (int i = 0; i < n; i++) {
      done += emu_threads[i].state == EMU_DONE;
      atBar += emu_threads[i].state == EMU_BAR;
    }
    if (done == n) return 0;
    int released = 0;
    for (int w = 0; w < n; w += 32) {
      const int e = w + 32 < n ? w + 32 : n;
      int waiting = 0, ready = 1;
      for (int i = w; i < e; i++) {
        const int s = emu_threads[i].state;
        if (s == EMU_WARP) waiting = 1;
        else if (s != EMU_DONE) ready = 0;
      }
      if (waiting && ready) {
        for (int i = w; i < e; i++) if (emu_threads[i].state == EMU_WARP) emu_threads[i].state = EMU_RUN;
        released = 1;
      }
    }
    if (released) continue;
    if (atBar + done == n) {
      for (int i = 0; i < n; i++) if (emu_threads[i].state == EMU_BAR) emu_threads[i].state = EMU_RUN;
      continue;
    }
    return 103;
  }
}

/* Index sequences without <utility> (its parsing is most of a small module's compile time). */
template <size_t... I> struct emu_seq {};
template <size_t N, size_t... I> struct emu_make : emu_make<N - 1, N - 1, I...> {};
template <size_t... I> struct emu_make<0, I...> { typedef emu_seq<I...> type; };
static void *emu_fn = 0;
static void **emu_argv = 0;
template <class... A, size_t... I> static void emu_invoke(emu_seq<I...>) {
  ((void (*)(A...))emu_fn)(*(A *)emu_argv[I]...);
}
template <class... A> static void emu_thread(void) { emu_invoke<A...>(typename emu_make<sizeof...(A)>::type()); }

union EmuSlot { void *p; int32_t i; int64_t l; float f; double d; };

/*
 * bufs[0]: int64 words: grid x y z, block x y z, coroutines (0/1), argument count, then per argument its
 * kind (0 pointer, 1 int32, 2 int64, 3 float32, 4 float64) and payload (a pointer's byte offset into its
 * buffer; a scalar's bits). bufs[1 + j]: the memory of the j-th pointer argument.
 * Returns 0, or 101 wrong argument count, 102 a barrier without coroutines, 103 a barrier some thread never
 * reaches, 104 no memory for the threads, 105 a block of more than 1024 threads (not kernel statuses: >= 101).
 */
template <class... A> static int emu_launch(void (*f)(A...), void **bufs) {
  const int64_t *w = (const int64_t *)bufs[0];
  const int nargs = (int)w[7];
  if (nargs != (int)sizeof...(A)) return 101;
  EmuSlot slots[sizeof...(A) + 1];
  void *argv[sizeof...(A) + 1];
  memset(slots, 0, sizeof slots);
  int pj = 0;
  for (int i = 0; i < nargs; i++) {
    const int64_t kind = w[8 + 2 * i];
    const int64_t *pay = &w[9 + 2 * i];
    if (kind == 0) slots[i].p = (char *)bufs[1 + pj++] + *pay;
    else if (kind == 1 || kind == 3) memcpy(&slots[i], pay, 4);
    else memcpy(&slots[i], pay, 8);
    argv[i] = &slots[i];
  }
  gridDim.x = (unsigned)w[0]; gridDim.y = (unsigned)w[1]; gridDim.z = (unsigned)w[2];
  blockDim.x = (unsigned)w[3]; blockDim.y = (unsigned)w[4]; blockDim.z = (unsigned)w[5];
  emu_coop = (int)w[6];
  emu_nthreads = (int)(blockDim.x * blockDim.y * blockDim.z);
  if (emu_nthreads > 1024) return 105;
  if (emu_nthreads > emu_capacity) {
    free(emu_threads);
    free(emu_stacks);
    emu_threads = (EmuThread *)calloc(1024, sizeof(EmuThread));
    emu_stacks = (char *)malloc(1024 * EMU_STACK);
    if (!emu_threads || !emu_stacks) { emu_capacity = 0; return 104; }
    emu_capacity = 1024;
  }
  emu_fn = (void *)f;
  emu_argv = argv;
  emu_thread_fn = &emu_thread<A...>;
  emu_fault = 0;
  for (unsigned z = 0; z < gridDim.z; z++)
    for (unsigned y = 0; y < gridDim.y; y++)
      for (unsigned x = 0; x < gridDim.x; x++) {
        blockIdx.x = x; blockIdx.y = y; blockIdx.z = z;
        const int r = emu_block();
        if (r) return r;
      }
  return 0;
}
#define GRAFT_EMU_ENTRY(name) extern "C" int graft_emu_##name(void **bufs) { return emu_launch(&name, bufs); }
`;
