/** torch.ir.print: the jaxpr-style text of a pending graph (expected texts written by hand). */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

describe('torch.ir.print', () => {
  it('prints one node per line with op, shape and dtype; buffers are the inputs', () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    const y = torch.tensor([1, 2, 3], { dtype: 'int32' });
    const z = x.mul(2).add(y).exp();
    expect(torch.ir.print(z)).toBe(
      [
        '{ lambda a:f32[2,3] b:i32[3]. let',
        '    c:f32[2,3] = mul a 2.0',
        '    d:f32[3] = cast b',
        '    e:f32[1,3] = reshape d',
        '    f:f32[2,3] = expand e',
        '    g:f32[2,3] = add c f',
        '    h:f32[2,3] = exp g',
        '  in (h) }',
      ].join('\n'),
    );
  });

  it('prints shared subgraphs once and several outputs together', () => {
    const x = torch.tensor([1.5, 2.5]);
    const s = x.sin();
    const a = s.mul(s);
    const b = s.neg();
    expect(torch.ir.print([a, b])).toBe(
      ['{ lambda a:f32[2]. let', '    b:f32[2] = sin a', '    c:f32[2] = mul b b', '    d:f32[2] = neg b', '  in (c, d) }'].join('\n'),
    );
  });

  it('shows a computed tensor as an input only, and rejects what is not a tensor', () => {
    const t = torch.tensor([1, 2], { dtype: 'float64' }).mul(3).realize();
    expect(torch.ir.print(t)).toBe('{ lambda a:f64[2]. let\n  in (a) }');
    expect(() => torch.ir.print([] as torch.Tensor[])).toThrow(torch.ValueError);
  });
});

describe('realized constants', () => {
  it('stay literals in later graphs after a tensor holding the same constant was computed', () => {
    const ones = torch.ones(2, 2);
    ones.tolist(); // computes the constant into a buffer for this tensor
    const z = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }).sigmoid();
    expect(torch.ir.print(z)).toContain('add 1.0');
    expect(torch.ir.print(z).split('\n')[0]).toBe('{ lambda a:f32[2,2]. let');
  });
});
