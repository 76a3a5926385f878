/*
 * TEST-ONLY: a fake CUDA driver (libcuda) and NVRTC in one shared object, compiled by
 * test/runtime/cuda-driver.test.ts and loaded through GRAFT_CUDA_LIBRARY / GRAFT_NVRTC_LIBRARY, so that the
 * addon's real loader (dlopen/dlsym of the _v2 names), argument checking and packing, error mapping and the
 * module cache run in CI, where there is no GPU. It is never shipped and never used outside tests.
 *
 * Device memory is host memory (malloc); copies are memcpy. "Compiling" wraps the source in a fake image
 * (a bare ELF64 header and the text for sm_XY, or PTX text for compute_XY); loading checks the image's architecture
 * against the device's as the driver does. Three kernels exist, run on the host when launched:
 *   saxpy(float a, const float *x, float *y, int n)            y[i] = a * x[i] + y[i]
 *   axpy_f64(double a, const double *x, double *y, long long n)  the same in float64
 *   launch_config(long long *out)                              out[0..6] = grid, block, shared bytes
 * Each covers indices below min(n, gridDim.x * blockDim.x), as a real kernel with a bounds check would.
 *
 * Behaviour is set through the environment, read at each call:
 *   FAKE_CUDA_INIT_ERROR (cuInit's result), FAKE_CUDA_DRIVER_VERSION (13000), FAKE_CUDA_DEVICES (1),
 *   FAKE_CUDA_CC (90), FAKE_CUDA_MEM (total bytes, 1 GiB), FAKE_NVRTC_VERSION (13.0),
 *   FAKE_NVRTC_ARCHS (comma list, 75,80,86,89,90,100,120), FAKE_CUDA_LAUNCH_ERROR (cuLaunchKernel's result).
 * A source containing "#error" fails to compile with a log naming the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long CUdeviceptr;
#define EXPORT __attribute__((visibility("default")))

static long env_int(const char *name, long dflt) {
  const char *s = getenv(name);
  return s && *s ? strtol(s, NULL, 10) : dflt;
}

/* ------------------------------------------------------------------------------------- driver */
static int current_ctx = 0; /* set by cuCtxSetCurrent: memory calls without a context fail */
static size_t allocated = 0;
struct alloc { CUdeviceptr p; size_t n; struct alloc *next; };
static struct alloc *allocs = NULL;

EXPORT int cuInit(unsigned flags) { return (int)env_int("FAKE_CUDA_INIT_ERROR", 0); }
EXPORT int cuDriverGetVersion(int *v) { *v = (int)env_int("FAKE_CUDA_DRIVER_VERSION", 13000); return 0; }
EXPORT int cuDeviceGetCount(int *n) { *n = (int)env_int("FAKE_CUDA_DEVICES", 1); return 0; }
EXPORT int cuDeviceGet(int *d, int ordinal) {
  if (ordinal < 0 || ordinal >= env_int("FAKE_CUDA_DEVICES", 1)) return 101; /* INVALID_DEVICE */
  *d = ordinal;
  return 0;
}
EXPORT int cuDeviceGetName(char *name, int len, int dev) { snprintf(name, len, "Fake CUDA Device %d", dev); return 0; }
EXPORT int cuDeviceGetAttribute(int *v, int attr, int dev) {
  long cc = env_int("FAKE_CUDA_CC", 90);
  if (attr == 75) *v = (int)(cc / 10);
  else if (attr == 76) *v = (int)(cc % 10);
  else if (attr == 16) *v = 132;
  else return 1;
  return 0;
}
EXPORT int cuDeviceTotalMem_v2(size_t *n, int dev) { *n = (size_t)env_int("FAKE_CUDA_MEM", 1L << 30); return 0; }
EXPORT int cuDevicePrimaryCtxRetain(void **ctx, int dev) { *ctx = (void *)(long)(dev + 1); return 0; }
EXPORT int cuCtxSetCurrent(void *ctx) { current_ctx = (int)(long)ctx; return 0; }
EXPORT int cuStreamCreate(void **s, unsigned flags) { *s = (void *)0x5; return current_ctx ? 0 : 201; }
EXPORT int cuStreamSynchronize(void *s) { return 0; }
EXPORT int cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
  if (!current_ctx) return 201; /* INVALID_CONTEXT */
  if (n == 0) return 1;
  if (allocated + n > (size_t)env_int("FAKE_CUDA_MEM", 1L << 30)) return 2; /* OUT_OF_MEMORY */
  void *m = malloc(n);
  if (!m) return 2;
  struct alloc *a = malloc(sizeof *a);
  a->p = (CUdeviceptr)m; a->n = n; a->next = allocs; allocs = a;
  allocated += n;
  *p = (CUdeviceptr)m;
  return 0;
}
EXPORT int cuMemFree_v2(CUdeviceptr p) {
  for (struct alloc **a = &allocs; *a; a = &(*a)->next) {
    if ((*a)->p == p) {
      struct alloc *dead = *a;
      *a = dead->next;
      allocated -= dead->n;
      free((void *)p);
      free(dead);
      return 0;
    }
  }
  return 1;
}
EXPORT int cuMemGetInfo_v2(size_t *f, size_t *t) {
  if (!current_ctx) return 201;
  *t = (size_t)env_int("FAKE_CUDA_MEM", 1L << 30);
  *f = *t - allocated;
  return 0;
}
EXPORT int cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *s, size_t n, void *st) { memcpy((void *)d, s, n); return 0; }
EXPORT int cuMemcpyDtoHAsync_v2(void *d, CUdeviceptr s, size_t n, void *st) { memcpy(d, (void *)s, n); return 0; }
EXPORT int cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr s, size_t n, void *st) { memmove((void *)d, (void *)s, n); return 0; }
EXPORT int cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, void *st) { memset((void *)d, v, n); return 0; }

struct module { char *source; };
struct function { int kind; };
static struct function KERNELS[] = {{0}, {1}, {2}};
static const char *KERNEL_NAMES[] = {"saxpy", "axpy_f64", "launch_config"};

EXPORT int cuModuleLoadData(void **m, const void *image) {
  const char *s = image;
  long cc = env_int("FAKE_CUDA_CC", 90);
  int arch = 0;
  const char *body;
  if (memcmp(s, "\x7f" "ELF", 4) == 0) {
    s += 64; /* the text after the ELF header */
    if (sscanf(s, "FAKECUBIN sm_%d", &arch) != 1) return 200; /* INVALID_IMAGE */
    if (arch != cc) return 209;                                  /* NO_BINARY_FOR_GPU */
  } else if (strncmp(s, "// FAKEPTX compute_", 19) == 0) {
    arch = atoi(s + 19);
    if (arch > cc) return 209;
  } else {
    return 200;
  }
  body = strchr(s, '\n');
  struct module *mod = malloc(sizeof *mod);
  mod->source = strdup(body ? body + 1 : "");
  *m = mod;
  return 0;
}
EXPORT int cuModuleLoadDataEx(void **m, const void *image, unsigned n, int *options, void **values) {
  int r = cuModuleLoadData(m, image);
  char *buf = NULL;
  size_t size = 0;
  for (unsigned i = 0; i < n; i++) {
    if (options[i] == 5) buf = values[i];                         /* CU_JIT_ERROR_LOG_BUFFER */
    if (options[i] == 6) size = (size_t)(unsigned long)values[i]; /* its size */
  }
  if (r != 0 && buf && size > 0) snprintf(buf, size, "fake ptxas: PTX for a newer architecture than sm_%ld", env_int("FAKE_CUDA_CC", 90));
  return r;
}
EXPORT int cuModuleGetFunction(void **f, void *m, const char *name) {
  struct module *mod = m;
  for (int i = 0; i < 3; i++) {
    if (strcmp(name, KERNEL_NAMES[i]) == 0 && strstr(mod->source, name)) {
      *f = &KERNELS[i];
      return 0;
    }
  }
  return 500; /* NOT_FOUND */
}
EXPORT int cuFuncGetParamInfo(void *f, size_t i, size_t *offset, size_t *size) {
  static const size_t sizes[3][4] = {{4, 8, 8, 4}, {8, 8, 8, 8}, {8, 0, 0, 0}};
  static const size_t counts[3] = {4, 4, 1};
  int k = ((struct function *)f)->kind;
  if (i >= counts[k]) return 1; /* INVALID_VALUE */
  *size = sizes[k][i];
  *offset = 0;
  for (size_t j = 0; j < i; j++) *offset += 8;
  return 0;
}
EXPORT int cuFuncSetAttribute(void *f, int attr, int value) { return 0; }
EXPORT int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                          unsigned shared, void *stream, void **params, void **extra) {
  int err = (int)env_int("FAKE_CUDA_LAUNCH_ERROR", 0);
  if (err) return err;
  long long threads = (long long)gx * bx;
  switch (((struct function *)f)->kind) {
    case 0: {
      float a = *(float *)params[0];
      const float *x = (const float *)*(CUdeviceptr *)params[1];
      float *y = (float *)*(CUdeviceptr *)params[2];
      int n = *(int *)params[3];
      for (long long i = 0; i < n && i < threads; i++) y[i] = a * x[i] + y[i];
      return 0;
    }
    case 1: {
      double a = *(double *)params[0];
      const double *x = (const double *)*(CUdeviceptr *)params[1];
      double *y = (double *)*(CUdeviceptr *)params[2];
      long long n = *(long long *)params[3];
      for (long long i = 0; i < n && i < threads; i++) y[i] = a * x[i] + y[i];
      return 0;
    }
    default: {
      long long *out = (long long *)*(CUdeviceptr *)params[0];
      out[0] = gx; out[1] = gy; out[2] = gz; out[3] = bx; out[4] = by; out[5] = bz; out[6] = shared;
      return 0;
    }
  }
}
EXPORT int cuGetErrorName(int r, const char **s) {
  switch (r) {
    case 0: *s = "CUDA_SUCCESS"; return 0;
    case 1: *s = "CUDA_ERROR_INVALID_VALUE"; return 0;
    case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
    case 100: *s = "CUDA_ERROR_NO_DEVICE"; return 0;
    case 101: *s = "CUDA_ERROR_INVALID_DEVICE"; return 0;
    case 200: *s = "CUDA_ERROR_INVALID_IMAGE"; return 0;
    case 201: *s = "CUDA_ERROR_INVALID_CONTEXT"; return 0;
    case 209: *s = "CUDA_ERROR_NO_BINARY_FOR_GPU"; return 0;
    case 500: *s = "CUDA_ERROR_NOT_FOUND"; return 0;
    case 700: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; return 0;
    default: *s = NULL; return 1;
  }
}
EXPORT int cuGetErrorString(int r, const char **s) {
  switch (r) {
    case 2: *s = "out of memory"; return 0;
    case 100: *s = "no CUDA-capable device is detected"; return 0;
    case 700: *s = "an illegal memory access was encountered"; return 0;
    default: *s = "fake error"; return 0;
  }
}

/* --------------------------------------------------------------------------------------- NVRTC */
struct program { char *source; char *log; char *image; size_t image_size; };

EXPORT int nvrtcVersion(int *major, int *minor) {
  const char *s = getenv("FAKE_NVRTC_VERSION");
  if (!s || sscanf(s, "%d.%d", major, minor) != 2) { *major = 13; *minor = 0; }
  return 0;
}
EXPORT const char *nvrtcGetErrorString(int r) {
  switch (r) {
    case 0: return "NVRTC_SUCCESS";
    case 5: return "NVRTC_ERROR_INVALID_OPTION";
    case 6: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR_INTERNAL_ERROR";
  }
}
static int archs(int *out) {
  const char *s = getenv("FAKE_NVRTC_ARCHS");
  char buf[256];
  snprintf(buf, sizeof buf, "%s", s && *s ? s : "75,80,86,89,90,100,120");
  int n = 0;
  for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
    if (out) out[n] = atoi(t);
    n++;
  }
  return n;
}
EXPORT int nvrtcGetNumSupportedArchs(int *n) { *n = archs(NULL); return 0; }
EXPORT int nvrtcGetSupportedArchs(int *a) { archs(a); return 0; }
EXPORT int nvrtcCreateProgram(void **p, const char *src, const char *name, int nh, const char *const *h,
                              const char *const *hn) {
  struct program *prog = calloc(1, sizeof *prog);
  prog->source = strdup(src);
  *p = prog;
  return 0;
}
EXPORT int nvrtcCompileProgram(void *p, int n, const char *const *options) {
  struct program *prog = p;
  const char *arch = NULL;
  for (int i = 0; i < n; i++) {
    if (strncmp(options[i], "--gpu-architecture=", 19) == 0) arch = options[i] + 19;
    else if (strncmp(options[i], "--include-path=", 15) != 0) return 5; /* INVALID_OPTION */
  }
  if (!arch) return 5;
  const char *err = strstr(prog->source, "#error");
  if (err) {
    int line = 1;
    for (const char *c = prog->source; c < err; c++) line += *c == '\n';
    const char *end = strchr(err, '\n');
    int len = end ? (int)(end - err) : (int)strlen(err);
    prog->log = malloc(len + 64);
    snprintf(prog->log, len + 64, "fake.cu(%d): error: %.*s\n", line, len, err);
    return 6;
  }
  size_t size = strlen(prog->source) + 192;
  prog->image = calloc(1, size);
  if (strncmp(arch, "sm_", 3) == 0) {
    /* A 64-byte ELF64 little-endian header with no program or section headers, then the text. */
    memcpy(prog->image, "\x7f" "ELF\x02\x01\x01", 7);
    snprintf(prog->image + 64, size - 64, "FAKECUBIN %s\n%s", arch, prog->source);
    prog->image_size = 64 + strlen(prog->image + 64) + 1;
  } else {
    snprintf(prog->image, size, "// FAKEPTX %s\n%s", arch, prog->source);
    prog->image_size = strlen(prog->image) + 1;
  }
  prog->log = strdup("");
  return 0;
}
EXPORT int nvrtcGetProgramLogSize(void *p, size_t *n) {
  struct program *prog = p;
  *n = prog->log ? strlen(prog->log) + 1 : 1;
  return 0;
}
EXPORT int nvrtcGetProgramLog(void *p, char *out) {
  struct program *prog = p;
  strcpy(out, prog->log ? prog->log : "");
  return 0;
}
static int get_size(void *p, size_t *n, int cubin) {
  struct program *prog = p;
  if (!prog->image || (prog->image[0] == 0x7f) != cubin) return 5;
  *n = prog->image_size;
  return 0;
}
static int get_image(void *p, char *out, int cubin) {
  struct program *prog = p;
  if (!prog->image || (prog->image[0] == 0x7f) != cubin) return 5;
  memcpy(out, prog->image, prog->image_size);
  return 0;
}
EXPORT int nvrtcGetPTXSize(void *p, size_t *n) { return get_size(p, n, 0); }
EXPORT int nvrtcGetPTX(void *p, char *out) { return get_image(p, out, 0); }
EXPORT int nvrtcGetCUBINSize(void *p, size_t *n) { return get_size(p, n, 1); }
EXPORT int nvrtcGetCUBIN(void *p, char *out) { return get_image(p, out, 1); }
EXPORT int nvrtcDestroyProgram(void **p) {
  struct program *prog = *p;
  free(prog->source);
  free(prog->log);
  free(prog->image);
  free(prog);
  *p = NULL;
  return 0;
}
