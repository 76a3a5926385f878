/**
 * Python's spelling of values, for extraRepr strings that read as PyTorch prints them:
 * `Linear(in_features=400, out_features=120, bias=True)`, `BatchNorm2d(16, eps=1e-05, momentum=0.1, ...)`.
 */

/** repr of a Python float: 1.0, 0.1, 1e-05, 1e+16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [mant, e] = x.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** An int, a tuple of ints ((5, 5), (10,)) or None. */
export function pyInts(v: number | readonly (number | null)[] | null): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return String(v);
  const items = v.map((x) => (x === null ? 'None' : String(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** repr of a Python string: 'none'. */
export const pyStr = (s: string): string => `'${s}'`;
