/** Imported first by the cuda test files: the emulated `cuda:0` (GRAFT_CUDA_EMULATE=1) before graft probes for devices. */
process.env.GRAFT_CUDA_EMULATE = '1';
