/** Short texts for nodes: types (`f32[2,3]`), op parameters and constants, as graft's jaxpr-style printer writes them. */
import type { DType, Node, Scalar } from '../ir/index.js';

const SHORT: Record<DType, string> = {
  float32: 'f32', float64: 'f64', int32: 'i32', int64: 'i64', bool: 'bool', float16: 'f16', bfloat16: 'bf16', uint8: 'u8', int8: 'i8', int16: 'i16',
};

export const typeText = (dtype: DType, shape: readonly number[]): string => `${SHORT[dtype]}[${shape.join(',')}]`;

/** A constant as a literal: 2.0, -inf, nan, 3, True. */
export function literal(x: Scalar, dtype: DType): string {
  if (typeof x === 'bigint') return String(x);
  if (dtype === 'bool') return x ? 'True' : 'False';
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (dtype === 'int32' || dtype === 'int64') return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  return dtype === 'float32' ? shortestFloat32(x) : String(x);
}

/** The shortest decimal that reads back as the same float32 (0.4, not 0.4000000059604645). */
function shortestFloat32(x: number): string {
  for (let p = 1; p < 17; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

const tuple = (xs: readonly number[]): string => `(${xs.join(',')})`;

/** An op with its parameters: `reduce sum (1)`, `permute (0,2,1)`, `cast f32`, `const 2.0`. */
export function opText(n: Node): string {
  const a = n.arg as Record<string, unknown> | Scalar | null;
  switch (n.op) {
    case 'const':
      return `const ${literal(a as Scalar, n.dtype)}`;
    case 'cast':
      return `cast ${SHORT[n.dtype]}`;
    case 'reduce': {
      const r = a as { op: string; axes: number[] };
      return `reduce ${r.op} ${tuple(r.axes)}`;
    }
    case 'permute':
      return `permute ${tuple((a as { perm: number[] }).perm)}`;
    case 'flip':
      return `flip ${tuple((a as { axes: number[] }).axes)}`;
    case 'argsort':
      return `argsort axis=${(a as { axis: number }).axis}${(a as { descending: boolean }).descending ? ' descending' : ''}`;
    case 'cumsum':
    case 'gather':
    case 'scatterAdd':
      return `${n.op} axis=${(a as { axis: number }).axis}`;
    case 'unfold': {
      const u = a as { axis: number; size: number; step: number };
      return `unfold axis=${u.axis} size=${u.size} step=${u.step}`;
    }
    case 'slice': {
      const s = a as { start: number[]; step: number[] };
      return `slice start=${tuple(s.start)}${s.step.some((x) => x !== 1) ? ` step=${tuple(s.step)}` : ''}`;
    }
    case 'pad': {
      const p = a as { pads: [number, number][]; value: Scalar };
      return `pad ${p.pads.map(([b, e]) => `${b}:${e}`).join(',')} value=${literal(p.value, n.dtype)}`;
    }
    case 'rand':
      return `rand salt=${(a as { salt: number }).salt}`;
    default:
      return n.op;
  }
}
