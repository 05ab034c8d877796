// nnlab's native kernels: a Node-API addon that runs the engine's matrix products with the system's
// OpenBLAS (loaded at run time with dlopen, so building needs only a C compiler and Node's headers).
// It works on the wasm backend's linear memory in place: every call gets a typed array over that
// memory and byte offsets into it, so tensors never leave WebAssembly memory and every other kernel
// stays the wasm one. src/backend/native/index.ts is the TypeScript side; scripts/build-native.mjs
// compiles this file.

#define NAPI_VERSION 8
#include <dlfcn.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_text_fn)(void);

static sgemm_fn cblas_sgemm_p;
static set_threads_fn set_threads_p;
static get_threads_fn get_threads_p;
static get_text_fn corename_p, config_p;
static char library[64];
static char load_error[512];

/**
 * Finds OpenBLAS; returns 0, or -1 with load_error set. Only OpenBLAS: a reference BLAS is slower than
 * wasm. Where the CPU has AVX-512 and the user has not chosen a core (OPENBLAS_CORETYPE), asks for
 * OpenBLAS's SkylakeX kernels: OpenBLAS 0.3.21 (Debian 12) takes AMD Zen 4 for a Haswell and would run
 * its AVX2 kernels there, at half the speed.
 */
static int load_blas(void) {
  static const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"};
  if (cblas_sgemm_p) return 0;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
#endif
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) continue;
    cblas_sgemm_p = (sgemm_fn)dlsym(h, "cblas_sgemm");
    set_threads_p = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    get_threads_p = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
    corename_p = (get_text_fn)dlsym(h, "openblas_get_corename");
    config_p = (get_text_fn)dlsym(h, "openblas_get_config");
    if (cblas_sgemm_p && set_threads_p && get_threads_p) {
      snprintf(library, sizeof library, "%s", names[i]);
      return 0;
    }
    cblas_sgemm_p = NULL;
    dlclose(h);
  }
  snprintf(load_error, sizeof load_error, "OpenBLAS was not found (dlopen libopenblas.so.0: %s)", dlerror());
  return -1;
}

#define CHECK(call)                                                                                     \
  do {                                                                                                  \
    if ((call) != napi_ok) {                                                                            \
      napi_throw_error(env, NULL, "nnlab native: a Node-API call failed");                              \
      return NULL;                                                                                      \
    }                                                                                                   \
  } while (0)

/** Reads `n` arguments: a typed array over the heap first, then integers. */
static int args_of(napi_env env, napi_callback_info info, size_t n, uint8_t **heap, size_t *bytes, int64_t *ints) {
  napi_value argv[16];
  size_t argc = 16;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != n) return -1;
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) return -1;
  *heap = (uint8_t *)data;
  *bytes = length * 4;
  for (size_t i = 1; i < n; i++)
    if (napi_get_value_int64(env, argv[i], &ints[i - 1]) != napi_ok) return -1;
  return 0;
}

/** True when [at, at + count floats) lies inside the heap. */
static int inside(int64_t at, int64_t count, size_t bytes) {
  return at >= 0 && count >= 0 && (at & 3) == 0 && (uint64_t)at + (uint64_t)count * 4 <= bytes;
}

/** True when m, n and k are sizes BLAS takes (0 ≤ size ≤ INT32_MAX). */
static int sizes(int64_t m, int64_t n, int64_t k) {
  return m >= 0 && n >= 0 && k >= 0 && m <= INT32_MAX && n <= INT32_MAX && k <= INT32_MAX;
}

static napi_value fail(napi_env env, const char *what) {
  napi_throw_range_error(env, NULL, what);
  return NULL;
}

/**
 * gemm(heap, c, a, b, m, n, k, transA, transB, count, aStride, bStride, i0, i1): for each of `count`
 * products, rows i0 ≤ i < i1 of C[m,n] = op(A)·op(B), with A, B, C row-major at the byte offsets
 * (matrix j at offset + j·stride floats for A and B, + j·m·n floats for C). Row ranges let several
 * threads share one product (the wasm backend's worker pool calls this from each thread; OpenBLAS
 * itself runs on the calling thread).
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  size_t bytes;
  int64_t v[13];
  if (args_of(env, info, 14, &heap, &bytes, v)) return fail(env, "nnlab native gemm: expected (Float32Array, 13 integers)");
  const int64_t c = v[0], a = v[1], b = v[2], m = v[3], n = v[4], k = v[5], ta = v[6], tb = v[7], count = v[8], as = v[9], bs = v[10];
  const int64_t i0 = v[11], i1 = v[12];
  if (!sizes(m, n, k) || count < 0 || i0 < 0 || i1 > m || i0 > i1) return fail(env, "nnlab native gemm: bad sizes");
  if (count == 0 || i0 == i1 || n == 0) return NULL;
  if (!inside(c, count * m * n, bytes) || !inside(a, (count - 1) * as + m * k, bytes) || !inside(b, (count - 1) * bs + k * n, bytes))
    return fail(env, "nnlab native gemm: operands outside the heap");
  const int rows = (int)(i1 - i0);
  for (int64_t j = 0; j < count; j++) {
    float *C = (float *)(heap + c) + j * m * n + i0 * n;
    const float *A = (const float *)(heap + a) + j * as + (ta ? i0 : i0 * k); // row i of op(A): column i of A when transposed
    const float *B = (const float *)(heap + b) + j * bs;
    if (k == 0) {
      memset(C, 0, (size_t)rows * (size_t)n * 4);
      continue;
    }
    cblas_sgemm_p(CBLAS_ROW_MAJOR, ta ? CBLAS_TRANS : CBLAS_NO_TRANS, tb ? CBLAS_TRANS : CBLAS_NO_TRANS, rows, (int)n, (int)k, 1.0f, A,
                  ta ? (int)m : (int)k, B, tb ? (int)k : (int)n, 0.0f, C, (int)n);
  }
  return NULL;
}

/**
 * linear(heap, out, x, w, bias, rows, cols, k, i0, i1): rows i0 ≤ i < i1 of
 * out[rows, cols] = x[rows, k]·w[cols, k]ᵀ + bias[cols].
 */
static napi_value linear(napi_env env, napi_callback_info info) {
  uint8_t *heap;
  size_t bytes;
  int64_t v[9];
  if (args_of(env, info, 10, &heap, &bytes, v)) return fail(env, "nnlab native linear: expected (Float32Array, 9 integers)");
  int64_t out = v[0], x = v[1], rows = v[4];
  const int64_t w = v[2], bias = v[3], cols = v[5], k = v[6], i0 = v[7], i1 = v[8];
  if (!sizes(rows, cols, k) || i0 < 0 || i1 > rows || i0 > i1) return fail(env, "nnlab native linear: bad sizes");
  if (!inside(out, rows * cols, bytes) || !inside(x, rows * k, bytes) || !inside(w, cols * k, bytes) || !inside(bias, cols, bytes))
    return fail(env, "nnlab native linear: operands outside the heap");
  out += i0 * cols * 4;
  x += i0 * k * 4;
  rows = i1 - i0;
  float *O = (float *)(heap + out);
  const float *B = (const float *)(heap + bias);
  for (int64_t i = 0; i < rows; i++) memcpy(O + i * cols, B, (size_t)cols * 4);
  if (rows > 0 && cols > 0 && k > 0)
    cblas_sgemm_p(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, (int)rows, (int)cols, (int)k, 1.0f, (const float *)(heap + x), (int)k,
                  (const float *)(heap + w), (int)k, 1.0f, O, (int)cols);
  return NULL;
}

static napi_value text(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
  return v;
}

/** info(): {library, core, config, threads} of the BLAS in use. */
static napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, threads;
  CHECK(napi_create_object(env, &o));
  napi_set_named_property(env, o, "library", text(env, library));
  napi_set_named_property(env, o, "core", text(env, corename_p ? corename_p() : ""));
  napi_set_named_property(env, o, "config", text(env, config_p ? config_p() : ""));
  napi_create_int32(env, get_threads_p(), &threads);
  napi_set_named_property(env, o, "threads", threads);
  return o;
}

NAPI_MODULE_INIT() {
  if (load_blas()) {
    napi_throw_error(env, "NNLAB_NO_BLAS", load_error);
    return NULL;
  }
  // one OpenBLAS thread per caller: the wasm backend's pool splits products between its threads, and
  // OpenBLAS's own threads would spin on the cores the pool's other kernels need
  set_threads_p(1);
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"linear", NULL, linear, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, blas_info, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
