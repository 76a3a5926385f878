/** Numbers for people: counts, bytes, durations, rates (shared by the report and the terminal table). */

/** 812, 12.3k, 4.56M, 7.89G. */
export function count(n: number): string {
  const a = Math.abs(n);
  if (a < 1e3) return String(Math.round(n));
  if (a < 1e6) return `${(n / 1e3).toFixed(a < 1e4 ? 2 : 1)}k`;
  if (a < 1e9) return `${(n / 1e6).toFixed(a < 1e7 ? 2 : 1)}M`;
  return `${(n / 1e9).toFixed(a < 1e10 ? 2 : 1)}G`;
}

/** 512 B, 3.0 KiB, 1.50 MiB, 2.00 GiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A duration given in nanoseconds: 850 ns, 12.3 µs, 4.56 ms, 1.23 s. */
export function duration(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** A duration given in milliseconds. */
export const ms = (x: number): string => duration(x * 1e6);

/** A rate with two significant decimals below 10: 0.42, 3.14, 27.5, 812. */
export function rate(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}

/** A percentage, or '-' when unknown. */
export const percent = (x: number | null): string => (x === null ? '-' : `${x < 10 ? x.toFixed(1) : x.toFixed(0)}%`);
