/**
 * torch.einsum: any equation PyTorch accepts (implicit or explicit output, `...`, repeated subscripts in an
 * operand = its diagonal, subscripts summed away). Lowered onto the canonical contraction (`contract`), so an
 * einsum fuses and tiles as a matrix product does:
 * - per operand: diagonals of repeated subscripts (a permute, a reshape and a stepped slice: views), and
 *   subscripts found nowhere else and not in the output summed at once;
 * - operands combined left to right (PyTorch's order without opt_einsum): subscripts of both operands that
 *   are still needed are batch dims, those of both that are not are contracted (K), the others the M and N
 *   dims: permute + reshape each side into [B, M, K] / [B, K, N] and `contract`;
 * - a final permute into the output's order. Size-1 dims broadcast as PyTorch's do.
 */
import { ArgumentError, build, DTypeError, fmtShape, ShapeError, ValueError, type Node } from '../ir/index.js';
import { checkTensor, scalarTypeName } from './reduce-args.js';
import { contract } from './contract.js';
import { applyOp, Tensor } from './tensor.js';

/** An operand during lowering: its node and one label per dim (letters are 0..51, ellipsis dims from 52). */
interface Term {
  node: Node;
  labels: number[];
}

const letter = (c: string): number => {
  const k = c.charCodeAt(0);
  if (k >= 65 && k <= 90) return k - 65;
  if (k >= 97 && k <= 122) return k - 97 + 26;
  return -1;
};
const labelName = (l: number): string => (l < 26 ? String.fromCharCode(65 + l) : String.fromCharCode(97 + l - 26));
const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

interface Parsed {
  inputs: { labels: number[]; ellipsis: number }[];
  output: { labels: number[]; ellipsis: number } | null;
}

/** Subscripts of one side: letters, at most one `...` (position in `ellipsis`, -1 if none). */
function parseTerm(text: string, offset: number): { labels: number[]; ellipsis: number } {
  const labels: number[] = [];
  let ellipsis = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ') continue;
    if (c === '.') {
      if (ellipsis !== -1 || text.slice(i, i + 3) !== '...') throw new ValueError('einsum(): found \'.\' for operand that is not part of any ellipsis');
      ellipsis = labels.length;
      i += 2;
      continue;
    }
    const l = letter(c);
    if (l < 0) throw new ValueError(`einsum(): invalid subscript given at index ${offset + i} in the equation string, subscripts must be in [a-zA-Z]`);
    labels.push(l);
  }
  return { labels, ellipsis };
}

function parse(eq: string): Parsed {
  const arrow = eq.indexOf('->');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const inputs: Parsed['inputs'] = [];
  let offset = 0;
  for (const part of lhs.split(',')) {
    inputs.push(parseTerm(part, offset));
    offset += part.length + 1;
  }
  if (arrow < 0) return { inputs, output: null };
  const out = eq.slice(arrow + 2);
  if (out.includes('->')) throw new ValueError("einsum(): invalid subscript given at index " + (arrow + 2 + out.indexOf('-')) + ' in the equation string, subscripts must be in [a-zA-Z]');
  return { inputs, output: parseTerm(out, arrow + 2) };
}

/** torch.einsum(equation, ...operands) (operands also as one array). */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new ArgumentError(`einsum(): argument 'equation' must be str, not ${typeof equation}`);
  const ops: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? [...(operands[0] as readonly Tensor[])] : (operands as Tensor[]);
  ops.forEach((t, i) => checkTensor('einsum', t, `operands[${i}]`));
  if (ops.length === 0) throw new ValueError('einsum(): must provide at least one operand');
  const p = parse(equation);
  if (p.inputs.length > ops.length) throw new ValueError('einsum(): fewer operands were provided than specified in the equation');
  if (p.inputs.length < ops.length) throw new ValueError('einsum(): more operands were provided than specified in the equation');
  const dtype = ops[0]!.dtype;
  for (const t of ops) if (t.dtype !== dtype) throw new DTypeError(`einsum(): expected scalar type ${scalarTypeName(dtype)} but found ${scalarTypeName(t.dtype)} (all operands must have one dtype)`);

  // Ellipsis dims: as many as the widest operand covers, right-aligned, labels 52.. .
  let ellDims = 0;
  p.inputs.forEach((t, i) => {
    const rank = ops[i]!.dim();
    if (t.ellipsis < 0) {
      if (t.labels.length !== rank) {
        throw new ShapeError(`einsum(): the number of subscripts in the equation (${t.labels.length}) does not match the number of dimensions (${rank}) for operand ${i} and no ellipsis was given`);
      }
    } else {
      if (t.labels.length > rank) {
        throw new ShapeError(`einsum(): the number of subscripts in the equation (${t.labels.length}) is more than the number of dimensions (${rank}) for operand ${i}`);
      }
      ellDims = Math.max(ellDims, rank - t.labels.length);
    }
  });
  const ELL = 52;
  const full = p.inputs.map((t, i) => {
    if (t.ellipsis < 0) return t.labels;
    const k = ops[i]!.dim() - t.labels.length;
    const ell = Array.from({ length: k }, (_, j) => ELL + ellDims - k + j);
    return [...t.labels.slice(0, t.ellipsis), ...ell, ...t.labels.slice(t.ellipsis)];
  });
  // Sizes: equal, or 1 (broadcast).
  const size = new Map<number, number>();
  full.forEach((labels, i) =>
    labels.forEach((l, j) => {
      const d = ops[i]!.shape[j]!;
      const s = size.get(l);
      if (s === undefined || s === 1) size.set(l, d);
      else if (d !== s && d !== 1) {
        if (l >= ELL) throw new ShapeError(`einsum(): operands do not broadcast with remapped shapes (original->remapped): ${fmtShape(ops[i]!.shape)}`);
        throw new ShapeError(`einsum(): subscript ${labelName(l)} has size ${d} for operand ${i} which does not broadcast with previously seen size ${s}`);
      }
    }),
  );
  // The output's labels.
  const ellLabels = Array.from({ length: ellDims }, (_, j) => ELL + j);
  let out: number[];
  if (p.output === null) {
    const count = new Map<number, number>();
    for (const labels of p.inputs) for (const l of labels.labels) count.set(l, (count.get(l) ?? 0) + 1);
    out = [...ellLabels, ...[...count.keys()].filter((l) => count.get(l) === 1).sort((a, b) => a - b)];
  } else {
    const o = p.output;
    const seen = new Set<number>();
    for (const l of o.labels) {
      if (seen.has(l)) throw new ValueError(`einsum(): output subscript ${labelName(l)} appears more than once in the output`);
      seen.add(l);
      if (!full.some((ls) => ls.includes(l))) throw new ValueError(`einsum(): output subscript ${labelName(l)} does not appear in the equation for any input operand`);
    }
    if (o.ellipsis >= 0 && !p.inputs.some((t) => t.ellipsis >= 0)) throw new ValueError('einsum(): ellipsis can only appear in the output if it appears in some input');
    out = o.ellipsis < 0 ? o.labels : [...o.labels.slice(0, o.ellipsis), ...ellLabels, ...o.labels.slice(o.ellipsis)];
    // Ellipsis dims not in an explicit output are summed (PyTorch requires them there when they are not 1).
  }
  const outShape = out.map((l) => size.get(l)!);
  const summed = full.some((ls) => ls.some((l) => !out.includes(l)));
  // PyTorch's gradFn is the last op of its own decomposition: a sum or a permute for one operand, a view of a
  // bmm when something is contracted, else a broadcast product.
  const gradName = ops.length === 1 ? (summed ? 'SumBackward1' : 'PermuteBackward0') : summed ? 'ViewBackward0' : 'MulBackward0';
  return applyOp(gradName, ops, (nodes) => {
    const terms = nodes.map((n, i) => ({ node: n, labels: full[i]! }));
    return build.reshape(lower(terms, out, size), outShape);
  });
}

/** Take diagonals of repeated labels of a term. */
function diagonals(t: Term): Term {
  let { node, labels } = t;
  for (;;) {
    const j = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (j < 0) return { node, labels };
    const i = labels.indexOf(labels[j]!);
    const rest = labels.map((_, k) => k).filter((k) => k !== i && k !== j);
    const n = node.shape[i]!;
    const perm = [...rest, i, j];
    const moved = build.permute(node, perm);
    const lead = rest.map((k) => node.shape[k]!);
    const flat = build.reshape(moved, [...lead, n * n]);
    node = build.slice(flat, [...lead.map(() => 0), 0], [...lead, n], [...lead.map(() => 1), n + 1]);
    labels = [...rest.map((k) => labels[k]!), labels[i]!];
  }
}

/** Sum away labels not in `keep`. */
function sumAway(t: Term, keep: ReadonlySet<number>): Term {
  const axes = t.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return t;
  const r = build.reduce(t.node, 'sum', axes);
  const labels = t.labels.filter((l) => keep.has(l));
  return { node: build.reshape(r, labels.map((l) => t.node.shape[t.labels.indexOf(l)]!)), labels };
}

/** Permute a term to `order` (labels it has) and expand its size-1 dims to the full sizes. */
function arrange(t: Term, order: readonly number[], size: ReadonlyMap<number, number>): Node {
  const perm = order.map((l) => t.labels.indexOf(l));
  const moved = build.permute(t.node, perm);
  const want = order.map((l) => size.get(l)!);
  return want.every((d, i) => moved.shape[i] === d) ? moved : build.expand(moved, want);
}

function lower(terms0: Term[], out: readonly number[], size: ReadonlyMap<number, number>): Node {
  const terms = terms0.map(diagonals);
  const neededAfter = (k: number): Set<number> => {
    const s = new Set(out);
    for (let j = k + 1; j < terms.length; j++) for (const l of terms[j]!.labels) s.add(l);
    return s;
  };
  // Sum labels that occur in one operand only and not in the output.
  const only = (k: number): Set<number> => {
    const s = new Set(out);
    terms.forEach((t, j) => {
      if (j !== k) for (const l of t.labels) s.add(l);
    });
    return s;
  };
  let acc = sumAway(terms[0]!, only(0));
  for (let k = 1; k < terms.length; k++) {
    const b = sumAway(terms[k]!, only(k));
    const keep = neededAfter(k);
    const inA = new Set(acc.labels);
    const inB = new Set(b.labels);
    const batch = acc.labels.filter((l) => inB.has(l) && keep.has(l));
    const K = acc.labels.filter((l) => inB.has(l) && !keep.has(l));
    const M = acc.labels.filter((l) => !inB.has(l));
    const N = b.labels.filter((l) => !inA.has(l));
    const sz = (ls: readonly number[]): number => prod(ls.map((l) => size.get(l)!));
    const a3 = build.reshape(arrange(acc, [...batch, ...M, ...K], size), [sz(batch), sz(M), sz(K)]);
    const b3 = build.reshape(arrange(b, [...batch, ...K, ...N], size), [sz(batch), sz(K), sz(N)]);
    const r = contract(a3, b3, [sz(batch)]);
    const labels = [...batch, ...M, ...N];
    acc = { node: build.reshape(r, labels.map((l) => size.get(l)!)), labels };
  }
  acc = sumAway(acc, new Set(out));
  return arrange(acc, out, size);
}
