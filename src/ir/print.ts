import type { DType } from './dtype.js';
import { toposort } from './graph.js';
import type { Node } from './node.js';
import type { Scalar } from './scalar.js';

const SHORT: Record<DType, string> = {
  float32: 'f32', float64: 'f64', int32: 'i32', int64: 'i64', bool: 'bool', float16: 'f16', bfloat16: 'bf16', uint8: 'u8', int8: 'i8', int16: 'i16',
};

/** Variable names in jaxpr's style: a, b, ..., z, ba, bb, ... */
function varName(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

const ty = (n: Node): string => `${SHORT[n.dtype]}[${n.shape.join(',')}]`;

function fmtNum(x: Scalar, dtype: DType): string {
  if (typeof x === 'bigint') return String(x);
  if (dtype === 'bool') return x ? 'True' : 'False';
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (dtype === 'int32' || dtype === 'uint8' || dtype === 'int8' || dtype === 'int16') return String(x);
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

function fmtParams(n: Node): string {
  const a = n.arg;
  if (a === null || typeof a === 'number' || typeof a === 'bigint' || 'ref' in a) return '';
  const parts = Object.entries(a).map(([k, v]) => `${k}=${Array.isArray(v) ? '(' + v.map((e) => (Array.isArray(e) ? '(' + e.join(',') + ')' : String(e))).join(',') + ')' : String(v)}`);
  return `[${parts.join(' ')}]`;
}

/**
 * The text form of the graph computing `roots`, one node per line, in the spirit of JAX's jaxpr:
 *
 *   { lambda a:f32[5,3] b:f32[5,3]. let
 *       c:f32[5,3] = mul a 2.0
 *       d:f32[5,3] = add c b
 *     in (d) }
 *
 * Inputs are the buffers (and already realized nodes) the graph reads; scalar constants print inline.
 */
export function printGraph(roots: readonly Node[]): string {
  const order = toposort(roots, true);
  const names = new Map<Node, string>();
  let next = 0;
  // Constants (a value broadcast to a shape) print inline as literals, as jaxpr prints scalars.
  const inline = (n: Node): boolean => n.op === 'const' && !roots.includes(n);
  const ref = (n: Node): string => (inline(n) ? fmtNum(n.arg as Scalar, n.dtype) : names.get(n)!);
  const inputs: string[] = [];
  const lines: string[] = [];
  for (const n of order) {
    if (n.op === 'buffer' || n.realized) {
      names.set(n, varName(next++));
      inputs.push(`${names.get(n)}:${ty(n)}`);
    }
  }
  for (const n of order) {
    if (names.has(n) || inline(n)) continue;
    names.set(n, varName(next++));
    let rhs: string;
    if (n.op === 'const') rhs = `const[value=${fmtNum(n.arg as Scalar, n.dtype)}]`;
    else rhs = `${n.op}${fmtParams(n)}${n.srcs.length ? ' ' + n.srcs.map(ref).join(' ') : ''}`;
    lines.push(`    ${names.get(n)}:${ty(n)} = ${rhs}`);
  }
  const outs = roots.map(ref).join(', ');
  return `{ lambda ${inputs.join(' ')}${inputs.length ? '' : ''}. let\n${lines.join('\n')}${lines.length ? '\n' : ''}  in (${outs}) }`;
}
