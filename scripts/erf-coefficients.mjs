// Computes the Chebyshev coefficients graft's float32 erf uses on [1, 4] (src/compiler/render/c/math.ts):
// g(x) = erfc(x) * exp(x^2), interpolated at Chebyshev points in t = (2x - 5) / 3 in [-1, 1].
// g is evaluated directly from the continued fraction of erfc (no cancellation, no exp):
//   erfc(x) exp(x^2) = 1/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
// Run: node scripts/erf-coefficients.mjs

const N = 48;
const g = (x) => {
  let f = x;
  for (let k = 20000; k >= 1; k--) f = x + k / 2 / f;
  return 1 / Math.sqrt(Math.PI) / f;
};
const xs = (t) => (3 * t + 5) / 2;
const f = Array.from({ length: N }, (_, j) => g(xs(Math.cos((Math.PI * (j + 0.5)) / N))));
const c = Array.from({ length: N }, (_, k) => {
  let s = 0;
  for (let j = 0; j < N; j++) s += f[j] * Math.cos((Math.PI * k * (j + 0.5)) / N);
  return (2 / N) * s;
});
c[0] /= 2;
let deg = N - 1;
while (deg > 0 && Math.abs(c[deg]) < 1e-15) deg--;
const clenshaw = (t, cs) => {
  let b1 = 0, b2 = 0;
  for (let k = cs.length - 1; k >= 1; k--) [b1, b2] = [2 * t * b1 - b2 + cs[k], b1];
  return t * b1 - b2 + cs[0];
};
const cs = c.slice(0, deg + 1);
let worst = 0;
for (let i = 0; i <= 3000; i++) {
  const x = 1 + (3 * i) / 3000;
  worst = Math.max(worst, Math.abs(clenshaw((2 * x - 5) / 3, cs) / g(x) - 1));
}
console.log(JSON.stringify({ degree: deg, maxRelError: worst, coefficients: cs }));
