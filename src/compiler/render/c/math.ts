/**
 * Float32 transcendental functions for generated kernels (placeholder: C library calls; replaced by
 * vectorizable polynomial implementations).
 */
export const MATH_C = `
static inline float graft_expf(float x) { return expf(x); }
static inline float graft_logf(float x) { return logf(x); }
static inline float graft_sinf(float x) { return sinf(x); }
static inline float graft_cosf(float x) { return cosf(x); }
static inline float graft_tanhf(float x) { return tanhf(x); }
static inline float graft_erff(float x) { return erff(x); }
`;
