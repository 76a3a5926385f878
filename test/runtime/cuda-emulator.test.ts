/**
 * The CUDA emulator on hand-written kernels: a block tree reduction (warp shuffles, shared memory,
 * __syncthreads), a shared-memory tiled matmul, atomics, scalar arguments, pointers into allocations,
 * copies, and its errors. Truth: values computed here in JS. Every kernel is also compiled by nvcc (sm_90).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/ir/index.js';
import { EmulatedDriver } from '../../src/runtime/cuda/driver-emulated.js';
import { NvccGate } from './cuda-nvcc.js';

const nvcc = new NvccGate();
const drv = new EmulatedDriver();

function module(source: string, names: string[]) {
  nvcc.add(source);
  return drv.loadModule(0, source, names);
}

function upload(a: Float32Array | Int32Array): bigint {
  const p = drv.malloc(0, a.byteLength);
  drv.copyHtoD(0, p, a);
  return p;
}

function download(p: bigint, n: number): Float32Array {
  const out = new Float32Array(n);
  drv.copyDtoH(0, out, p);
  return out;
}

const REDUCE = `
__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}
/* One block per row: strided partial sums, a shuffle tree per warp, the warps' sums through shared memory. */
__global__ void rowSum(const float* __restrict__ x, float* __restrict__ out, int cols) {
  __shared__ float partial[32];
  const float* row = x + (long)blockIdx.x * cols;
  float s = 0.0f;
  for (int i = threadIdx.x; i < cols; i += blockDim.x) s += row[i];
  s = warpSum(s);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) partial[warp] = s;
  __syncthreads();
  if (warp == 0) {
    s = lane < (int)(blockDim.x >> 5) ? partial[lane] : 0.0f;
    s = warpSum(s);
    if (lane == 0) out[blockIdx.x] = s;
  }
}
__global__ void total(const float* __restrict__ x, float* __restrict__ out, long n) {
  long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) atomicAdd(out, x[i]);
}
__global__ void xorMax(const int* __restrict__ x, int* __restrict__ out) {
  int v = x[threadIdx.x];
  for (int m = 16; m > 0; m >>= 1) { int o = __shfl_xor_sync(0xffffffffu, v, m); v = o > v ? o : v; }
  out[threadIdx.x] = v + __shfl_sync(0xffffffffu, v, 3);
}
`;

const TILED = `
#define T 16
/* C[M,N] = A[M,K] B[K,N], 16x16 tiles through shared memory, each thread a 1x2 register block. */
__global__ void matmul(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C, int M, int N, int K, float alpha) {
  __shared__ float As[T][T];
  __shared__ float Bs[T][2 * T];
  const int ty = threadIdx.y, tx = threadIdx.x;
  const int row = blockIdx.y * T + ty, col = blockIdx.x * 2 * T + tx;
  float acc0 = 0.0f, acc1 = 0.0f;
  for (int k0 = 0; k0 < K; k0 += T) {
    As[ty][tx] = (row < M && k0 + tx < K) ? A[(long)row * K + k0 + tx] : 0.0f;
    Bs[ty][tx] = (k0 + ty < K && col < N) ? B[(long)(k0 + ty) * N + col] : 0.0f;
    Bs[ty][tx + T] = (k0 + ty < K && col + T < N) ? B[(long)(k0 + ty) * N + col + T] : 0.0f;
    __syncthreads();
    for (int k = 0; k < T; k++) { acc0 += As[ty][k] * Bs[k][tx]; acc1 += As[ty][k] * Bs[k][tx + T]; }
    __syncthreads();
  }
  if (row < M && col < N) C[(long)row * N + col] = alpha * acc0;
  if (row < M && col + T < N) C[(long)row * N + col + T] = alpha * acc1;
}
`;

describe('CUDA emulator', () => {
  afterAll(() => {
    const log = nvcc.compileAll();
    expect(log).toBe('');
  });

  it('reduces rows as block trees with warp shuffles and shared memory', () => {
    const fns = module(REDUCE, ['rowSum', 'total', 'xorMax']);
    const rows = 5;
    const cols = 1000;
    const x = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 101) / 7 - 3);
    const px = upload(x);
    const po = drv.malloc(0, rows * 4);
    drv.launch(fns.get('rowSum')!, [rows, 1, 1], [128, 1, 1], 0, [{ ptr: px }, { ptr: po }, { i32: cols }]);
    const got = download(po, rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += x[r * cols + c]!;
      expect(got[r]).toBeCloseTo(s, 2);
    }
    // Atomics over the whole array; the output pointer is one float into an allocation.
    const acc = drv.malloc(0, 8);
    drv.memsetD8(0, acc, 0, 8);
    drv.launch(fns.get('total')!, [Math.ceil((rows * cols) / 256), 1, 1], [256, 1, 1], 0, [{ ptr: px }, { ptr: acc + 4n }, { i64: rows * cols }]);
    const both = download(acc, 2);
    expect(both[0]).toBe(0);
    expect(both[1]).toBeCloseTo(x.reduce((a, b) => a + b, 0), 1);
  });

  it('shuffles by xor and by source lane', () => {
    const fns = module(REDUCE, ['rowSum', 'total', 'xorMax']);
    const x = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
    const px = upload(x);
    const po = drv.malloc(0, 64 * 4);
    drv.launch(fns.get('xorMax')!, [1, 1, 1], [64, 1, 1], 0, [{ ptr: px }, { ptr: po }]);
    const out = new Int32Array(64);
    drv.copyDtoH(0, out, po);
    for (let w = 0; w < 2; w++) {
      const m = Math.max(...x.subarray(w * 32, w * 32 + 32));
      for (let l = 0; l < 32; l++) expect(out[w * 32 + l]).toBe(2 * m);
    }
  });

  it('multiplies matrices through shared-memory tiles', () => {
    const fns = module(TILED, ['matmul']);
    const [M, N, K] = [37, 45, 29];
    const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
    const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.7));
    const pa = upload(A);
    const pb = upload(B);
    const pc = drv.malloc(0, M * N * 4);
    drv.launch(fns.get('matmul')!, [Math.ceil(N / 32), Math.ceil(M / 16), 1], [16, 16, 1], 0, [
      { ptr: pa }, { ptr: pb }, { ptr: pc }, { i32: M }, { i32: N }, { i32: K }, { f32: 0.5 },
    ]);
    const C = download(pc, M * N);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k]! * B[k * N + j]!;
        expect(C[i * N + j]).toBeCloseTo(0.5 * s, 4);
      }
    }
  });

  it('reports misuse as DeviceError', () => {
    const fns = module(TILED, ['matmul']);
    expect(() => drv.launch(fns.get('matmul')!, [1, 1, 1], [16, 16, 1], 0, [{ i32: 1 }])).toThrow(/wrong number of arguments/);
    expect(() => drv.launch(fns.get('matmul')!, [1, 1, 1], [64, 32, 1], 0, [])).toThrow(DeviceError);
    const p = drv.malloc(0, 16);
    expect(() => drv.copyHtoD(0, p + 8n, new Float32Array(4))).toThrow(/outside every allocation/);
    drv.free(0, p);
    expect(() => drv.free(0, p)).toThrow(DeviceError);
    expect(() => drv.malloc(0, 2 ** 52)).toThrow(/CUDA_ERROR_OUT_OF_MEMORY/);
    const dead = `__global__ void dead(int* x) { if (threadIdx.x == 0) return; __syncthreads(); x[threadIdx.x] = 1; }`;
    // A barrier the exited thread never reaches counts it as arrived (as on the GPU): no deadlock.
    const f = module(dead, ['dead']).get('dead')!;
    const q = drv.malloc(0, 64 * 4);
    drv.launch(f, [1, 1, 1], [64, 1, 1], 0, [{ ptr: q }]);
  });
});
