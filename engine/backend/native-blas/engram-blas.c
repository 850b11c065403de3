/*
 * engram_blas: the native matrix product behind Engram's tfjs BatchMatMul kernels
 * (engine/backend/native-mat-mul-kernel.ts), the Kanerva memory's write and its gradient
 * (engine/backend/kanerva-write-kernels.ts) and batched Cholesky solves
 * (engine/backend/cholesky-solve-kernels.ts); an optional N-API addon built by `npm install`.
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
#include <stdlib.h>
#include <string.h>
#include <math.h>

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
    napi_throw_type_error(env, NULL, "operands must be Float32Arrays");
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

/*
 * The Kanerva memory's online write and its gradient (engine/backend/kanerva-write-kernels.ts holds
 * the same in JavaScript, with the equations; this is that code compiled, for its arithmetic:
 * ~30 M multiply-adds a training step of the reference config). Needs no BLAS.
 */
static double write_item(int64_t k, int64_t c, double *r, double *u, const float *w, const float *z, double noise, double lo, double hi,
                         double *d, double *s, unsigned char *clipped, double *unclipped) {
  for (int64_t j = 0; j < c; j++) d[j] = z[j];
  for (int64_t j = 0; j < k; j++) s[j] = 0;
  for (int64_t i = 0; i < k; i++) {
    const double wi = w[i];
    if (wi == 0) continue;
    const double *ri = r + i * c, *ui = u + i * k;
    for (int64_t j = 0; j < c; j++) d[j] -= wi * ri[j];
    for (int64_t j = 0; j < k; j++) s[j] += wi * ui[j];
  }
  double sigma = noise;
  for (int64_t i = 0; i < k; i++) sigma += s[i] * w[i];
  for (int64_t i = 0; i < k; i++) {
    const double g = s[i] / sigma;
    double *ri = r + i * c, *ui = u + i * k;
    for (int64_t j = 0; j < c; j++) ri[j] += g * d[j];
    for (int64_t j = 0; j < k; j++) ui[j] -= g * s[j];
    const double v = ui[i];
    const int out = v < lo || v > hi;
    if (clipped) clipped[i] = (unsigned char)out;
    if (unclipped) unclipped[i] = v;
    if (out) ui[i] = v < lo ? lo : hi;
  }
  return sigma;
}

/* The arguments of a compiled kernel: `nums` numbers first, then `count` float32 arrays. */
static int numbers_and_arrays(napi_env env, napi_callback_info info, size_t nums, double *num, size_t count, float **arrays, size_t *lengths) {
  size_t argc = 20;
  napi_value argv[20];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != nums + count) {
    napi_throw_error(env, NULL, "wrong number of arguments");
    return 0;
  }
  for (size_t i = 0; i < nums; i++) {
    if (napi_get_value_double(env, argv[i], &num[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "expected a number");
      return 0;
    }
  }
  for (size_t i = 0; i < count; i++) {
    arrays[i] = floats(env, argv[nums + i], &lengths[i]);
    if (!arrays[i]) return 0;
  }
  return 1;
}

/*
 * The arguments of kanervaWrite and kanervaWriteGrad: (batch, items, k, c, noiseVar, covMin, covMax),
 * then one array per letter of `kinds`, each at least as long as its kind says: R [B, K, C],
 * U [B, K, K], Z [B, T, C] or W [B, T, K]. Returns 0 after throwing.
 */
static int kanerva_operands(napi_env env, napi_callback_info info, const char *kinds, double *num, float **a) {
  size_t len[10];
  const size_t count = strlen(kinds);
  if (!numbers_and_arrays(env, info, 7, num, count, a, len)) return 0;
  const int64_t batch = (int64_t)num[0], items = (int64_t)num[1], k = (int64_t)num[2], c = (int64_t)num[3];
  for (size_t i = 0; i < count; i++) {
    const int64_t want = kinds[i] == 'R' ? batch * k * c : kinds[i] == 'U' ? batch * k * k : kinds[i] == 'Z' ? batch * items * c : batch * items * k;
    if (batch < 1 || items < 0 || k < 1 || c < 1 || len[i] < (size_t)want) {
      napi_throw_range_error(env, NULL, "kanerva write operands do not fit their arrays");
      return 0;
    }
  }
  return 1;
}

/* kanervaWrite(batch, items, k, c, noiseVar, covMin, covMax, mean, cov, codes, weights, outMean, outCov) */
static napi_value kanerva_write(napi_env env, napi_callback_info info) {
  double num[7];
  float *a[6];
  if (!kanerva_operands(env, info, "RUZWRU", num, a)) return NULL;
  const int64_t batch = (int64_t)num[0], items = (int64_t)num[1], k = (int64_t)num[2], c = (int64_t)num[3];
  double *r = malloc(sizeof(double) * (k * c + k * k + c + k));
  if (!r) {
    napi_throw_error(env, NULL, "kanerva write: out of memory");
    return NULL;
  }
  double *u = r + k * c, *d = u + k * k, *s = d + c;
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t i = 0; i < k * c; i++) r[i] = a[0][b * k * c + i];
    for (int64_t i = 0; i < k * k; i++) u[i] = a[1][b * k * k + i];
    for (int64_t t = 0; t < items; t++)
      write_item(k, c, r, u, a[3] + (b * items + t) * k, a[2] + (b * items + t) * c, num[4], num[5], num[6], d, s, NULL, NULL);
    for (int64_t i = 0; i < k * c; i++) a[4][b * k * c + i] = (float)r[i];
    for (int64_t i = 0; i < k * k; i++) a[5][b * k * k + i] = (float)u[i];
  }
  free(r);
  return NULL;
}

/* kanervaWriteGrad(batch, items, k, c, noiseVar, covMin, covMax, mean, cov, codes, weights, dMean, dCov, outMean, outCov, outCodes, outWeights) */
static napi_value kanerva_write_grad(napi_env env, napi_callback_info info) {
  double num[7];
  float *a[10];
  if (!kanerva_operands(env, info, "RUZWRURUZW", num, a)) return NULL;
  const int64_t batch = (int64_t)num[0], items = (int64_t)num[1], k = (int64_t)num[2], c = (int64_t)num[3];
  const float *weights = a[3], *codes = a[2];
  float *outMean = a[6], *outCov = a[7], *outCodes = a[8], *outWeights = a[9];
  const size_t doubles = 2 * (k * c + k * k) + items * (c + 2 * k + 1) + c + 2 * k;
  double *r = malloc(sizeof(double) * doubles);
  unsigned char *clips = malloc(items * k + 1);
  if (!r || !clips) {
    free(r);
    free(clips);
    napi_throw_error(env, NULL, "kanerva write gradient: out of memory");
    return NULL;
  }
  double *u = r + k * c, *aR = u + k * k, *aU = aR + k * c, *ds = aU + k * k, *ss = ds + items * c, *unclipped = ss + items * k,
         *sigmas = unclipped + items * k, *aD = sigmas + items, *aG = aD + c, *aS = aG + k;
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t i = 0; i < k * c; i++) r[i] = a[0][b * k * c + i];
    for (int64_t i = 0; i < k * k; i++) u[i] = a[1][b * k * k + i];
    for (int64_t t = 0; t < items; t++)
      sigmas[t] = write_item(k, c, r, u, weights + (b * items + t) * k, codes + (b * items + t) * c, num[4], num[5], num[6], ds + t * c, ss + t * k,
                             clips + t * k, unclipped + t * k);
    for (int64_t i = 0; i < k * c; i++) aR[i] = a[4][b * k * c + i];
    for (int64_t i = 0; i < k * k; i++) aU[i] = a[5][b * k * k + i];
    for (int64_t t = items - 1; t >= 0; t--) {
      const double *d = ds + t * c, *s = ss + t * k, sigma = sigmas[t];
      const float *w = weights + (b * items + t) * k;
      for (int64_t i = 0; i < k; i++) {
        if (clips[t * k + i]) {
          u[i * k + i] = unclipped[t * k + i];
          aU[i * k + i] = 0;
        }
      }
      for (int64_t i = 0; i < k; i++) {
        const double g = s[i] / sigma;
        double *ri = r + i * c, *ui = u + i * k;
        for (int64_t j = 0; j < c; j++) ri[j] -= g * d[j];
        for (int64_t j = 0; j < k; j++) ui[j] += g * s[j];
      }
      for (int64_t j = 0; j < c; j++) aD[j] = 0;
      for (int64_t i = 0; i < k; i++) {
        const double g = s[i] / sigma;
        const double *ari = aR + i * c, *aui = aU + i * k;
        double ag = 0;
        for (int64_t j = 0; j < c; j++) {
          aD[j] += ari[j] * g;
          ag += ari[j] * d[j];
        }
        for (int64_t j = 0; j < k; j++) ag -= aui[j] * s[j];
        aG[i] = ag;
      }
      double aSigma = 0;
      for (int64_t i = 0; i < k; i++) aSigma -= aG[i] * s[i] / (sigma * sigma);
      for (int64_t j = 0; j < k; j++) aS[j] = aG[j] / sigma + aSigma * w[j];
      for (int64_t i = 0; i < k; i++) {
        const double g = s[i] / sigma;
        const double *aui = aU + i * k;
        for (int64_t j = 0; j < k; j++) aS[j] -= aui[j] * g;
      }
      for (int64_t i = 0; i < k; i++) {
        const double *ri = r + i * c, *ui = u + i * k;
        double aw = aSigma * s[i];
        for (int64_t j = 0; j < k; j++) aw += ui[j] * aS[j];
        for (int64_t j = 0; j < c; j++) aw -= ri[j] * aD[j];
        outWeights[(b * items + t) * k + i] = (float)aw;
      }
      for (int64_t j = 0; j < c; j++) outCodes[(b * items + t) * c + j] = (float)aD[j];
      for (int64_t i = 0; i < k; i++) {
        const double wi = w[i];
        if (wi == 0) continue;
        double *ari = aR + i * c, *aui = aU + i * k;
        for (int64_t j = 0; j < c; j++) ari[j] -= wi * aD[j];
        for (int64_t j = 0; j < k; j++) aui[j] += wi * aS[j];
      }
    }
    for (int64_t i = 0; i < k * c; i++) outMean[b * k * c + i] = (float)aR[i];
    for (int64_t i = 0; i < k * k; i++) outCov[b * k * k + i] = (float)aU[i];
  }
  free(r);
  free(clips);
  return NULL;
}

/*
 * choleskySolve(batch, k, m, A, R, X): X_b = A_b⁻¹ R_b for symmetric positive-definite A_b [k, k] (read
 * from its lower triangle), R_b and X_b [k, m], row-major; the JavaScript of
 * engine/backend/cholesky-solve-kernels.ts compiled (Cholesky–Banachiewicz, then two triangular solves).
 */
static napi_value cholesky_solve(napi_env env, napi_callback_info info) {
  double num[3];
  float *a[3];
  size_t len[3];
  if (!numbers_and_arrays(env, info, 3, num, 3, a, len)) return NULL;
  const int64_t batch = (int64_t)num[0], k = (int64_t)num[1], m = (int64_t)num[2];
  if (batch < 1 || k < 1 || m < 1 || len[0] < (size_t)(batch * k * k) || len[1] < (size_t)(batch * k * m) || len[2] < (size_t)(batch * k * m)) {
    napi_throw_range_error(env, NULL, "cholesky solve operands do not fit their arrays");
    return NULL;
  }
  double *l = malloc(sizeof(double) * (k * k + k * m));
  if (!l) {
    napi_throw_error(env, NULL, "cholesky solve: out of memory");
    return NULL;
  }
  double *y = l + k * k;
  for (int64_t b = 0; b < batch; b++) {
    const float *ab = a[0] + b * k * k, *rb = a[1] + b * k * m;
    float *xb = a[2] + b * k * m;
    for (int64_t i = 0; i < k; i++) {
      for (int64_t j = 0; j <= i; j++) {
        double s = ab[i * k + j];
        for (int64_t p = 0; p < j; p++) s -= l[i * k + p] * l[j * k + p];
        l[i * k + j] = i == j ? sqrt(s) : s / l[j * k + j];
      }
    }
    for (int64_t i = 0; i < k * m; i++) y[i] = rb[i];
    for (int64_t i = 0; i < k; i++) {
      for (int64_t p = 0; p < i; p++) {
        const double lip = l[i * k + p];
        for (int64_t c = 0; c < m; c++) y[i * m + c] -= lip * y[p * m + c];
      }
      for (int64_t c = 0; c < m; c++) y[i * m + c] /= l[i * k + i];
    }
    for (int64_t i = k - 1; i >= 0; i--) {
      for (int64_t p = i + 1; p < k; p++) {
        const double lpi = l[p * k + i];
        for (int64_t c = 0; c < m; c++) y[i * m + c] -= lpi * y[p * m + c];
      }
      for (int64_t c = 0; c < m; c++) y[i * m + c] /= l[i * k + i];
    }
    for (int64_t i = 0; i < k * m; i++) xb[i] = (float)y[i];
  }
  free(l);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "load", NAPI_AUTO_LENGTH, load, NULL, &fn);
  napi_set_named_property(env, exports, "load", fn);
  napi_create_function(env, "gemm", NAPI_AUTO_LENGTH, gemm, NULL, &fn);
  napi_set_named_property(env, exports, "gemm", fn);
  napi_create_function(env, "kanervaWrite", NAPI_AUTO_LENGTH, kanerva_write, NULL, &fn);
  napi_set_named_property(env, exports, "kanervaWrite", fn);
  napi_create_function(env, "kanervaWriteGrad", NAPI_AUTO_LENGTH, kanerva_write_grad, NULL, &fn);
  napi_set_named_property(env, exports, "kanervaWriteGrad", fn);
  napi_create_function(env, "choleskySolve", NAPI_AUTO_LENGTH, cholesky_solve, NULL, &fn);
  napi_set_named_property(env, exports, "choleskySolve", fn);
  return exports;
}
