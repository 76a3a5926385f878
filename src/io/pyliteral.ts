/**
 * A parser for the small subset of Python literals found in .npy headers (what numpy reads with
 * ast.literal_eval): dicts, tuples, lists, strings, integers (with Python 2's `L` suffix), True, False, None.
 * It never evaluates anything; a malformed literal is a FormatError.
 */
import { FormatError } from '../ir/index.js';

export type PyValue = null | boolean | bigint | string | PyValue[] | PyTuple | PyDict;
/** A tuple, told apart from a list. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
/** A dict with string keys, in order. */
export class PyDict {
  constructor(readonly entries: [string, PyValue][]) {}
  get(key: string): PyValue | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }
}

const MAX_DEPTH = 32;

export function parsePyLiteral(text: string, where: string): PyValue {
  let i = 0;
  const fail = (why: string): never => {
    throw new FormatError(`${where}: cannot parse the header ${JSON.stringify(text.trim())}: ${why} at character ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const q = text[i++];
    let out = '';
    while (i < text.length && text[i] !== q) {
      let c = text[i++]!;
      if (c === '\\') {
        const e = text[i++];
        const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };
        if (e !== undefined && Object.hasOwn(simple, e)) c = simple[e]!;
        else fail(`unsupported escape \\${e ?? ''}`);
      }
      out += c;
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return out;
  };
  const seq = (close: string, depth: number): PyValue[] => {
    const items: PyValue[] = [];
    ws();
    while (text[i] !== close) {
      items.push(value(depth + 1));
      ws();
      if (text[i] === ',') {
        i++;
        ws();
      } else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
    i++;
    return items;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') return str();
    if (c === '(') {
      i++;
      const start = i;
      const items = seq(')', depth);
      // (x) without a comma is just x in Python.
      if (items.length === 1 && !text.slice(start, i - 1).trimEnd().endsWith(',')) return items[0]!;
      return new PyTuple(items);
    }
    if (c === '[') {
      i++;
      return seq(']', depth);
    }
    if (c === '{') {
      i++;
      const entries: [string, PyValue][] = [];
      ws();
      while (text[i] !== '}') {
        const k = value(depth + 1);
        if (typeof k !== 'string') fail('dict keys must be strings');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([k as string, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          ws();
        } else if (text[i] !== '}') fail("expected ',' or '}'");
      }
      i++;
      return new PyDict(entries);
    }
    const m = /^(?:[-+]?\d+[lL]?|True|False|None)/.exec(text.slice(i, i + 40));
    if (!m) return fail('unexpected character');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return BigInt(m[0].replace(/[lL]$/, ''));
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('unexpected text after the literal');
  return v;
}

/** A parsed value written back as Python writes it (for error messages). */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0]!)},)` : `(${v.items.map(pyRepr).join(', ')})`;
  return `{${v.entries.map(([k, e]) => `${pyRepr(k)}: ${pyRepr(e)}`).join(', ')}}`;
}
