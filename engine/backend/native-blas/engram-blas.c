/*
 * engram_blas: the native matrix product behind Engram's tfjs BatchMatMul kernels
 * (engine/backend/native-mat-mul-kernel.ts), an optional N-API addon built by `npm install`.
 * Runs in whatever Node process trains (kernel, CLI, worker threads).
 *
 * The BLAS is opened at run time (dlopen), not linked, so the addon builds on a machine without
 * one and `load()` then says what it could not find; Engram keeps its WebAssembly products. The
 * operands are float32 arrays the caller already holds — the wasm backend's heap, or the cpu
 * backend's value arrays — addressed by element offsets, so nothing is copied.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef _WIN32
#include <dlfcn.h>
#endif

/* cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc), CBLAS enum values. */
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

static sgemm_fn sgemm = NULL;
static set_threads_fn set_threads = NULL;
static char library[256] = "";

#define CALL(env, expr)                                  \
  do {                                                   \
    if ((expr) != napi_ok) {                             \
      napi_throw_error((env), NULL, "N-API call failed"); \
      return NULL;                                       \
    }                                                    \
  } while (0)

static napi_value string_value(napi_env env, const char *text) {
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

/* load(threads) → the library's path, or throws with the reason there is none. */
static napi_value load(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threads = 1;
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc > 0) CALL(env, napi_get_value_int32(env, argv[0], &threads));
#ifdef _WIN32
  napi_throw_error(env, NULL, "no run-time BLAS loader on Windows");
  return NULL;
#else
  if (!sgemm) {
    /* OpenBLAS first (Debian: libopenblas0-pthread), then Apple's Accelerate. Reference BLAS is
       left out on purpose: at ~6 GFLOP/s it is slower than the WebAssembly products it would replace. */
    static const char *candidates[] = {
        "libopenblas.so.0",
        "libopenblas.so",
        "libopenblas.dylib",
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
        NULL,
    };
    for (int i = 0; candidates[i] && !sgemm; i++) {
      void *handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
      if (!handle) continue;
      sgemm = (sgemm_fn)dlsym(handle, "cblas_sgemm");
      set_threads = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
      if (sgemm) snprintf(library, sizeof library, "%s", candidates[i]);
      else dlclose(handle);
    }
  }
  if (!sgemm) {
    napi_throw_error(env, NULL, "no OpenBLAS (libopenblas.so.0) or Accelerate found");
    return NULL;
  }
  if (set_threads && threads > 0) set_threads(threads);
  return string_value(env, library);
#endif
}

/* The float32 elements of a Float32Array argument, or NULL after throwing. */
static float *floats(napi_env env, napi_value value, size_t *length) {
  napi_typedarray_type type;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "gemm operands must be Float32Arrays");
    return NULL;
  }
  return (float *)data;
}

/* Whether `batch` matrices of `size` elements, `stride` apart from `offset`, lie inside `length`. */
static int fits(int64_t offset, int64_t stride, int64_t batch, int64_t size, size_t length) {
  if (offset < 0 || stride < 0 || batch < 1) return 0;
  return offset + stride * (batch - 1) + size <= (int64_t)length;
}

/*
 * gemm(batch, transA, transB, m, n, k, A, aOffset, aStride, B, bOffset, bStride, C, cOffset, cStride):
 * for i < batch, C_i (m×n) = op(A_i) op(B_i), row-major, where X_i starts at xOffset + i·xStride
 * elements of X (a stride of 0 shares one matrix), op(A) is m×k and op(B) is k×n.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  int64_t v[15];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 15) {
    napi_throw_error(env, NULL, "gemm takes 15 arguments");
    return NULL;
  }
  if (!sgemm) {
    napi_throw_error(env, NULL, "gemm called before a successful load()");
    return NULL;
  }
  static const int numbers[] = {0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 13, 14};
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) CALL(env, napi_get_value_int64(env, argv[numbers[i]], &v[numbers[i]]));
  size_t lengths[3];
  float *a = floats(env, argv[6], &lengths[0]);
  if (!a) return NULL;
  float *b = floats(env, argv[9], &lengths[1]);
  if (!b) return NULL;
  float *c = floats(env, argv[12], &lengths[2]);
  if (!c) return NULL;
  const int64_t batch = v[0], ta = v[1], tb = v[2], m = v[3], n = v[4], k = v[5];
  if (m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX || !fits(v[7], v[8], batch, m * k, lengths[0]) ||
      !fits(v[10], v[11], batch, k * n, lengths[1]) || !fits(v[13], v[14], batch, m * n, lengths[2])) {
    napi_throw_range_error(env, NULL, "gemm operands do not fit their arrays");
    return NULL;
  }
  for (int64_t i = 0; i < batch; i++) {
    sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, (int)m, (int)n, (int)k, 1.0f, a + v[7] + i * v[8], (int)(ta ? m : k),
          b + v[10] + i * v[11], (int)(tb ? k : n), 0.0f, c + v[13] + i * v[14], (int)n);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "load", NAPI_AUTO_LENGTH, load, NULL, &fn);
  napi_set_named_property(env, exports, "load", fn);
  napi_create_function(env, "gemm", NAPI_AUTO_LENGTH, gemm, NULL, &fn);
  napi_set_named_property(env, exports, "gemm", fn);
  return exports;
}
