// Computes the polynomial graft's float32 exp uses on [-ln2/2, ln2/2] (src/compiler/render/c/math.ts):
//   e^r ~ 1 + r + r^2 * Q(r),   Q of degree 4,
// near-minimax in the relative error of e^r: a least-squares fit of Q to (e^r - 1 - r) / r^2 at Chebyshev
// points, weighted by r^2 / e^r, reweighted by Lawson's iteration (weights times the error) until the error
// levels out. Prints the coefficients rounded to float32 and the fit's relative error with them (about
// 0.07 ulp: the float evaluation's rounding dominates; the whole function was checked within 1 ulp of the
// correctly rounded result for every float32 input).
// Run: node scripts/exp-coefficients.mjs

const DEG = 4;
const N = 2000;
const h = Math.log(2) / 2;
const rs = [];
for (let k = 0; k < N; k++) {
  const r = h * Math.cos((Math.PI * (k + 0.5)) / N);
  if (Math.abs(r) > 1e-6) rs.push(r);
}
const target = rs.map((r) => (Math.expm1(r) - r) / (r * r));
const weight = rs.map((r) => (r * r) / Math.exp(r));

/** Weighted least squares: minimize sum w_i^2 (sum_j c_j r_i^j - g_i)^2 by the normal equations. */
function fit(w) {
  const n = DEG + 1;
  const A = Array.from({ length: n }, () => new Array(n + 1).fill(0));
  rs.forEach((r, i) => {
    const pw = Array.from({ length: n }, (_, j) => r ** j);
    const w2 = w[i] * w[i];
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) A[a][b] += w2 * pw[a] * pw[b];
      A[a][n] += w2 * pw[a] * target[i];
    }
  });
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => row[n] / row[i]);
}

const q = (c, r) => c.reduceRight((s, cj) => s * r + cj, 0);
let lawson = rs.map(() => 1);
let c = [];
for (let it = 0; it < 200; it++) {
  c = fit(rs.map((_, i) => Math.sqrt(lawson[i]) * weight[i]));
  const err = rs.map((r, i) => Math.abs((q(c, r) - target[i]) * weight[i]));
  lawson = lawson.map((l, i) => l * err[i]);
  const s = lawson.reduce((a, b) => a + b, 0);
  lawson = lawson.map((l) => l / s);
}
const cf = c.map((x) => Math.fround(x));
let worst = 0;
for (let i = 0; i <= 100000; i++) {
  const r = -h + (2 * h * i) / 100000;
  worst = Math.max(worst, Math.abs((1 + r + r * r * q(cf, r)) / Math.exp(r) - 1));
}
console.log('Q coefficients (float32, r^0 first):', cf.map((x) => x.toPrecision(9)).join(', '));
console.log(`relative error of the fit: ${worst.toExponential(2)} (${(worst / 2 ** -24).toFixed(3)} ulp)`);
