"""
Sequence layers: nn.RNN/LSTM/GRU and their cells, nn.MultiheadAttention, F.scaled_dot_product_attention (PyTorch
2.x semantics, computed here from its documented formula: 1.13 has only a private function), and the
Transformer encoder/decoder layers and stacks. Each case builds a module in PyTorch 1.13 with weights rounded to
short decimals, runs it in eval mode on given inputs and stores the state dict, the inputs, the outputs and the
gradients (of sum(out_i * w_i) for stored random w_i) of every parameter and float input. test/conformance/
sequence.test.ts loads the state dict into graft's module and replays. Also: state-dict keys, printed modules and
PyTorch's messages for bad input.
"""
import math
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

from casekit import enc_tensor


def snake(name):
    return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def rounded(*shape, scale=1.0):
    return torch.round(torch.randn(*shape) * scale * 1000) / 1000


KINDS = {
    'RNN': nn.RNN, 'LSTM': nn.LSTM, 'GRU': nn.GRU, 'RNNCell': nn.RNNCell, 'LSTMCell': nn.LSTMCell, 'GRUCell': nn.GRUCell,
    'MultiheadAttention': nn.MultiheadAttention, 'TransformerEncoderLayer': nn.TransformerEncoderLayer,
    'TransformerDecoderLayer': nn.TransformerDecoderLayer,
}


def make(kind, args, opts):
    kw = {snake(k): v for k, v in opts.items()}
    if kind == 'TransformerEncoder':
        layer = nn.TransformerEncoderLayer(*args[:2], **kw)
        return nn.TransformerEncoder(layer, args[2], norm=nn.LayerNorm(args[0]))
    if kind == 'TransformerDecoder':
        layer = nn.TransformerDecoderLayer(*args[:2], **kw)
        return nn.TransformerDecoder(layer, args[2], norm=nn.LayerNorm(args[0]))
    return KINDS[kind](*args, **kw)


def call(kind, m, ins, fopts):
    """The forward call of each kind; returns the list of output tensors."""
    kw = {snake(k): (ins[v] if isinstance(v, str) and v in ins else v) for k, v in fopts.items()}
    if kind in ('RNN', 'GRU', 'RNNCell', 'GRUCell'):
        out = m(ins['x'], ins.get('h0'))
        return list(out) if isinstance(out, tuple) else [out]
    if kind == 'LSTM':
        out, (h, c) = m(ins['x'], (ins['h0'], ins['c0']) if 'h0' in ins else None)
        return [out, h, c]
    if kind == 'LSTMCell':
        return list(m(ins['x'], (ins['h0'], ins['c0']) if 'h0' in ins else None))
    if kind == 'MultiheadAttention':
        out, w = m(ins['q'], ins['k'], ins['v'], **kw)
        return [out] if w is None else [out, w]
    if kind in ('TransformerEncoderLayer', 'TransformerEncoder'):
        return [m(ins['src'], **kw)]
    if kind in ('TransformerDecoderLayer', 'TransformerDecoder'):
        return [m(ins['tgt'], ins['memory'], **kw)]
    raise KeyError(kind)


def module_case(name, kind, args, opts, inputs, fopts=None, seed=0):
    """inputs: name -> tensor (float ones get gradients); fopts: forward options, a string naming an input."""
    fopts = fopts or {}
    torch.manual_seed(seed)
    m = make(kind, args, opts)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.round(p * 1000) / 1000)
    m.eval()
    ins = {k: (v.clone().requires_grad_(True) if v.is_floating_point() and not k.lower().endswith('mask') else v.clone()) for k, v in inputs.items()}
    outs = call(kind, m, ins, fopts)
    torch.manual_seed(seed + 1)
    cots = [rounded(*o.shape) for o in outs]
    sum((o * c).sum() for o, c in zip(outs, cots)).backward()
    grads = {k: enc_tensor(p.grad) for k, p in m.named_parameters()}
    for k, v in ins.items():
        if v.requires_grad:
            grads['input.' + k] = enc_tensor(v.grad)
    return {
        'name': name, 'kind': kind, 'args': args, 'opts': opts, 'forward': fopts,
        'state': {k: enc_tensor(v) for k, v in m.state_dict().items()},
        'inputs': {k: dict(enc_tensor(v), grad=bool(v.requires_grad)) for k, v in ins.items()},
        'outputs': [enc_tensor(o) for o in outs], 'cotangents': [enc_tensor(c) for c in cots], 'grads': grads,
    }


def sdpa_reference(q, k, v, attn_mask=None, is_causal=False):
    """PyTorch 2.x's documented F.scaled_dot_product_attention (dropout 0)."""
    L, S = q.shape[-2], k.shape[-2]
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool).tril().logical_not(), float('-inf'))
    if attn_mask is not None:
        bias = bias.masked_fill(attn_mask.logical_not(), float('-inf')) if attn_mask.dtype == torch.bool else bias + attn_mask
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias, dim=-1)
    return w @ v


def sdpa_case(name, shapes, mask=None, is_causal=False, seed=0):
    torch.manual_seed(seed)
    q, k, v = (rounded(*s).requires_grad_(True) for s in shapes)
    out = sdpa_reference(q, k, v, mask, is_causal)
    if hasattr(F, '_scaled_dot_product_attention') and mask is None:
        # Cross-check with 1.13's private function where its semantics are 2.x's.
        ref = F._scaled_dot_product_attention(q, k, v, None, 0.0, False, is_causal)[0]
        assert torch.allclose(ref, out, atol=1e-6), name
    cot = rounded(*out.shape)
    (out * cot).sum().backward()
    inputs = {'q': q, 'k': k, 'v': v}
    rec = {k_: dict(enc_tensor(t), grad=True) for k_, t in inputs.items()}
    if mask is not None:
        rec['attnMask'] = dict(enc_tensor(mask), grad=False)
    return {
        'name': name, 'kind': 'sdpa', 'args': [], 'opts': {}, 'forward': {'isCausal': is_causal} if is_causal else {},
        'state': {}, 'inputs': rec, 'outputs': [enc_tensor(out)], 'cotangents': [enc_tensor(cot)],
        'grads': {'input.' + k_: enc_tensor(t.grad) for k_, t in inputs.items()},
    }


def cases():
    torch.manual_seed(100)
    T, B, I, H = 5, 2, 3, 4
    x = rounded(T, B, I)
    xb = rounded(B, T, I)
    h0 = rounded(2 * 2, B, H, scale=0.5)
    c0 = rounded(2 * 2, B, H, scale=0.5)
    out = [
        module_case('lstm', 'LSTM', [I, H], {}, {'x': x}),
        module_case('lstm-2layer-bidir-batchfirst-states', 'LSTM', [I, H], {'numLayers': 2, 'bidirectional': True, 'batchFirst': True, 'dropout': 0.3},
                    {'x': xb, 'h0': h0, 'c0': c0}),
        module_case('lstm-unbatched-nobias', 'LSTM', [I, H], {'bias': False}, {'x': x[:, 0], 'h0': h0[:1, 0], 'c0': c0[:1, 0]}),
        module_case('gru', 'GRU', [I, H], {}, {'x': x}),
        module_case('gru-2layer-states', 'GRU', [I, H], {'numLayers': 2}, {'x': x, 'h0': h0[:2]}),
        module_case('gru-bidir-batchfirst', 'GRU', [I, H], {'bidirectional': True, 'batchFirst': True}, {'x': xb}),
        module_case('rnn-tanh-2layer', 'RNN', [I, H], {'numLayers': 2}, {'x': x, 'h0': h0[:2]}),
        module_case('rnn-relu-bidir-nobias', 'RNN', [I, H], {'nonlinearity': 'relu', 'bidirectional': True, 'bias': False}, {'x': x}),
        module_case('rnncell', 'RNNCell', [I, H], {}, {'x': x[0], 'h0': h0[0]}),
        module_case('rnncell-relu-unbatched', 'RNNCell', [I, H], {'nonlinearity': 'relu'}, {'x': x[0, 0]}),
        module_case('lstmcell', 'LSTMCell', [I, H], {}, {'x': x[0], 'h0': h0[0], 'c0': c0[0]}),
        module_case('lstmcell-nostate', 'LSTMCell', [I, H], {'bias': False}, {'x': x[0]}),
        module_case('grucell', 'GRUCell', [I, H], {}, {'x': x[0], 'h0': h0[0]}),
    ]
    E, NH, L, S = 8, 2, 4, 5
    q = rounded(L, B, E)
    kv = rounded(S, B, E)
    bool_mask = torch.tensor([[False, True, False, False, True]] * L)
    float_mask = torch.round(torch.rand(L, S) * -2000) / 1000
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    out += [
        module_case('mha-self', 'MultiheadAttention', [E, NH], {}, {'q': q, 'k': q, 'v': q}),
        module_case('mha-cross-masks', 'MultiheadAttention', [E, NH], {},
                    {'q': q, 'k': kv, 'v': rounded(S, B, E), 'attnMask': bool_mask, 'keyPaddingMask': kpm},
                    {'attnMask': 'attnMask', 'keyPaddingMask': 'keyPaddingMask'}),
        module_case('mha-float-mask-per-head-weights', 'MultiheadAttention', [E, NH], {'bias': False},
                    {'q': q, 'k': kv, 'v': kv, 'attnMask': float_mask}, {'attnMask': 'attnMask', 'averageAttnWeights': False}),
        module_case('mha-kdim-vdim-batchfirst', 'MultiheadAttention', [E, 4], {'kdim': 3, 'vdim': 5, 'batchFirst': True},
                    {'q': rounded(B, L, E), 'k': rounded(B, S, 3), 'v': rounded(B, S, 5), 'keyPaddingMask': kpm}, {'keyPaddingMask': 'keyPaddingMask'}),
        module_case('mha-no-weights-3d-mask', 'MultiheadAttention', [E, NH], {},
                    {'q': q, 'k': kv, 'v': kv, 'attnMask': torch.round(torch.rand(B * NH, L, S) * -2000) / 1000},
                    {'attnMask': 'attnMask', 'needWeights': False}),
        module_case('mha-unbatched', 'MultiheadAttention', [E, NH], {}, {'q': q[:, 0], 'k': kv[:, 0], 'v': kv[:, 0]}),
        sdpa_case('sdpa', [(B, 3, L, 6), (B, 3, S, 6), (B, 3, S, 7)]),
        sdpa_case('sdpa-causal', [(B, L, 6), (B, L, 6), (B, L, 6)], is_causal=True),
        sdpa_case('sdpa-bool-mask', [(B, L, 6), (B, S, 6), (B, S, 6)], mask=torch.tensor([[True, False, True, True, False]] * L)),
        sdpa_case('sdpa-float-mask', [(L, 6), (S, 6), (S, 3)], mask=torch.round(torch.rand(L, S) * -2000) / 1000),
    ]
    src = rounded(S, B, E)
    causal = nn.Transformer.generate_square_subsequent_mask(S)
    out += [
        module_case('encoder-layer', 'TransformerEncoderLayer', [E, NH], {'dimFeedforward': 16}, {'src': src}),
        module_case('encoder-layer-prenorm-gelu-batchfirst-masks', 'TransformerEncoderLayer', [E, NH],
                    {'dimFeedforward': 16, 'activation': 'gelu', 'normFirst': True, 'batchFirst': True, 'layerNormEps': 1e-6},
                    {'src': rounded(B, S, E), 'srcMask': causal, 'srcKeyPaddingMask': kpm},
                    {'srcMask': 'srcMask', 'srcKeyPaddingMask': 'srcKeyPaddingMask'}),
        module_case('encoder-2layers-norm', 'TransformerEncoder', [E, NH, 2], {'dimFeedforward': 16}, {'src': src, 'mask': causal},
                    {'mask': 'mask'}),
        module_case('decoder-layer-masks', 'TransformerDecoderLayer', [E, NH], {'dimFeedforward': 16},
                    {'tgt': q, 'memory': kv, 'tgtMask': nn.Transformer.generate_square_subsequent_mask(L), 'memoryKeyPaddingMask': kpm},
                    {'tgtMask': 'tgtMask', 'memoryKeyPaddingMask': 'memoryKeyPaddingMask'}),
        module_case('decoder-layer-prenorm-batchfirst', 'TransformerDecoderLayer', [E, NH],
                    {'dimFeedforward': 16, 'normFirst': True, 'batchFirst': True, 'activation': 'gelu'},
                    {'tgt': rounded(B, L, E), 'memory': rounded(B, S, E)}),
        module_case('decoder-2layers-norm', 'TransformerDecoder', [E, NH, 2], {'dimFeedforward': 16},
                    {'tgt': q, 'memory': kv, 'tgtMask': nn.Transformer.generate_square_subsequent_mask(L)}, {'tgtMask': 'tgtMask'}),
    ]
    return out


def error(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return {'class': type(e).__name__, 'message': str(e)}
    raise AssertionError('no error')


def errors():
    lstm = nn.LSTM(10, 20)
    mha = nn.MultiheadAttention(12, 3)
    cell = nn.LSTMCell(10, 20)
    return {
        'lstm-input-size': error(lambda: lstm(torch.randn(5, 3, 7))),
        'lstm-rank': error(lambda: lstm(torch.randn(5, 3, 10, 2))),
        'lstm-hidden-size': error(lambda: lstm(torch.randn(5, 3, 10), (torch.randn(1, 3, 21), torch.randn(1, 3, 20)))),
        'lstm-cell-size': error(lambda: lstm(torch.randn(5, 3, 10), (torch.randn(1, 3, 20), torch.randn(1, 2, 20)))),
        'lstm-batched-hx-rank': error(lambda: lstm(torch.randn(5, 3, 10), (torch.randn(3, 20), torch.randn(3, 20)))),
        'gru-input-size': error(lambda: nn.GRU(10, 20)(torch.randn(5, 3, 7))),
        'gru-hidden-size': error(lambda: nn.GRU(10, 20)(torch.randn(5, 3, 10), torch.randn(1, 3, 21))),
        'rnn-nonlinearity': error(lambda: nn.RNN(10, 20, nonlinearity='sigmoid')),
        'rnn-dropout': error(lambda: nn.RNN(10, 20, dropout=2.0)),
        'lstmcell-input-size': error(lambda: cell(torch.randn(3, 7))),
        'lstmcell-rank': error(lambda: cell(torch.randn(3, 2, 10))),
        'lstmcell-hidden-size': error(lambda: cell(torch.randn(3, 10), (torch.randn(3, 21), torch.randn(3, 20)))),
        'lstmcell-batch': error(lambda: cell(torch.randn(3, 10), (torch.randn(2, 20), torch.randn(2, 20)))),
        'mha-divisible': error(lambda: nn.MultiheadAttention(10, 3)),
        'mha-embed-dim': error(lambda: mha(torch.randn(5, 2, 11), torch.randn(6, 2, 12), torch.randn(6, 2, 12))),
        'mha-key-value': error(lambda: mha(torch.randn(5, 2, 12), torch.randn(6, 2, 12), torch.randn(7, 2, 12))),
        'mha-attn-mask-shape': error(lambda: mha(torch.randn(5, 2, 12), torch.randn(6, 2, 12), torch.randn(6, 2, 12), attn_mask=torch.zeros(4, 6))),
        'mha-key-padding-shape': error(lambda: mha(torch.randn(5, 2, 12), torch.randn(6, 2, 12), torch.randn(6, 2, 12),
                                                   key_padding_mask=torch.zeros(2, 5, dtype=torch.bool))),
        'mha-query-rank': error(lambda: mha(torch.randn(5, 2, 12, 1), torch.randn(6, 2, 12), torch.randn(6, 2, 12))),
        'mha-mask-dtype': error(lambda: mha(torch.randn(5, 2, 12), torch.randn(6, 2, 12), torch.randn(6, 2, 12),
                                            attn_mask=torch.zeros(5, 6, dtype=torch.int64))),
        'encoder-divisible': error(lambda: nn.TransformerEncoderLayer(12, 5)),
        'encoder-activation': error(lambda: nn.TransformerEncoderLayer(12, 3, activation='tanh')),
    }


def generate():
    torch.manual_seed(0)
    lstm = nn.LSTM(10, 20, 2, bidirectional=True, batch_first=True, dropout=0.5)
    return {
        'cases': cases(),
        'errors': errors(),
        'stateDictKeys': {
            'lstm-2-bidir': [[k, list(v.shape)] for k, v in lstm.state_dict().items()],
            'gru-nobias': [[k, list(v.shape)] for k, v in nn.GRU(3, 5, bias=False).state_dict().items()],
            'mha-kdim': [[k, list(v.shape)] for k, v in nn.MultiheadAttention(8, 2, kdim=3, vdim=5).state_dict().items()],
            'decoder-layer': [[k, list(v.shape)] for k, v in nn.TransformerDecoderLayer(8, 2, dim_feedforward=16).state_dict().items()],
            'encoder-2': [[k, list(v.shape)] for k, v in nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2).state_dict().items()],
        },
        'repr': {
            'lstm': str(lstm),
            'gru': str(nn.GRU(10, 20)),
            'rnn-relu-nobias': str(nn.RNN(10, 20, nonlinearity='relu', bias=False)),
            'lstmcell': str(nn.LSTMCell(3, 4)),
            'rnncell-relu': str(nn.RNNCell(3, 4, nonlinearity='relu')),
            'grucell-nobias': str(nn.GRUCell(3, 4, bias=False)),
            'mha': str(nn.MultiheadAttention(12, 3)),
            'encoder-layer': str(nn.TransformerEncoderLayer(12, 3, dim_feedforward=16)),
        },
        # The default init: every RNN weight within ±1/sqrt(hidden_size) (checked on PyTorch's own draws).
        'initBound': {'lstm-10-20': max(float(p.abs().max()) for p in nn.LSTM(10, 20).parameters()), 'bound': 1 / math.sqrt(20)},
    }
