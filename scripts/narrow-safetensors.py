"""
Writes test/io/fixtures/narrow-dtypes.safetensors: float16, bfloat16, uint8, int8 and int16 tensors as PyTorch
1.13 holds them (bytes from PyTorch's own tensors: `.view(torch.int16)` for the 16-bit floats, `.numpy()` for the
rest), in the layout of the safetensors reference library (its Python package is not installed here): tensors
ordered by decreasing dtype (the library's Dtype enum order) then name, compact JSON with `dtype`, `shape`,
`data_offsets`, the header padded with spaces to a multiple of 8, little-endian u64 header length first.
Also writes the values PyTorch reads back (test/io/fixtures/narrow-dtypes.json). Run with /usr/bin/python3.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'io', 'fixtures')
ORDER = {'BOOL': 0, 'U8': 1, 'I8': 2, 'I16': 5, 'F16': 7, 'BF16': 8, 'I32': 9, 'F32': 11, 'F64': 12, 'I64': 13}
NAMES = {torch.float16: 'F16', torch.bfloat16: 'BF16', torch.uint8: 'U8', torch.int8: 'I8', torch.int16: 'I16', torch.float32: 'F32'}

nan, inf = float('nan'), float('inf')
tensors = {
    'half': torch.tensor([[0.1, -2.5, 65504.0], [1e-7, -0.0, inf]], dtype=torch.float16),
    'half_nan': torch.tensor([nan, 1.0009765625, 3.0e-8], dtype=torch.float16),
    'brain': torch.tensor([0.1, -3e38, 1e-30, 257.0, -inf], dtype=torch.bfloat16),
    'bytes': torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
    'chars': torch.tensor([[-128, 127], [0, -1]], dtype=torch.int8),
    'shorts': torch.tensor([-32768, 32767, 300], dtype=torch.int16),
    'weight': torch.tensor([0.5, -1.25], dtype=torch.float32),
}


def raw(t):
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.contiguous().view(torch.int16).numpy().astype('<i2').tobytes()
    return t.contiguous().numpy().tobytes()


items = sorted(tensors.items(), key=lambda kv: (-ORDER[NAMES[kv[1].dtype]], kv[0].encode()))
header = {}
data = b''
for name, t in items:
    b = raw(t)
    header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [len(data), len(data) + len(b)]}
    data += b
text = json.dumps(header, separators=(',', ':')).encode()
text += b' ' * ((8 - len(text) % 8) % 8)
with open(os.path.join(OUT, 'narrow-dtypes.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + data)


def enc(v):
    if v != v:
        return 'nan'
    if v in (inf, -inf):
        return 'inf' if v > 0 else '-inf'
    return v


values = {name: {'dtype': str(t.dtype)[6:], 'shape': list(t.shape), 'values': [enc(v) for v in t.reshape(-1).tolist()],
                 'bits': t.view(torch.int16).reshape(-1).tolist() if t.dtype in (torch.float16, torch.bfloat16) else None}
          for name, t in tensors.items()}
with open(os.path.join(OUT, 'narrow-dtypes.json'), 'w') as f:
    json.dump(values, f, indent=1)
    f.write('\n')
