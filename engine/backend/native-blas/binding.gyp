# Builds engram_blas.node, the optional native matrix product and compiled kernels of
# engine/backend/native-blas.ts. It links no BLAS at build time: the library is opened at run time, so a
# machine without one builds it anyway (and its compiled kernels, which need none, still run).
{
  "targets": [
    {
      "target_name": "engram_blas",
      "sources": ["engram-blas.c"],
      "cflags": ["-O3", "-Wall"],
      "conditions": [["OS != 'win'", {"libraries": ["-ldl", "-lm"]}]]
    }
  ]
}
