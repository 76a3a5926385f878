#!/usr/bin/python3
"""
Generate graft's PyTorch conformance fixtures: evaluate every case of scripts/conformance/cases/*.py in
PyTorch (1.13, CPU) and write test/conformance/fixtures/<category>.json, replayed by test/conformance/*.test.ts.

    /usr/bin/python3 scripts/conformance/gen.py            # all categories
    /usr/bin/python3 scripts/conformance/gen.py reduction  # one

CI has no PyTorch: the fixtures are committed. Each fixture is a JSON object with the PyTorch version and a
list of cases, one per line (readable diffs).
"""
import importlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import casekit  # noqa: E402

CATEGORIES = ['creation', 'elementwise', 'reduction', 'movement', 'indexing', 'linalg', 'autograd', 'nn', 'loss',
              'modules', 'printing']
OUT_DIR = os.path.join(HERE, '..', '..', 'test', 'conformance', 'fixtures')


def resolver(table):
    """op key -> PyTorch callable: the category's table, else F.name, Tensor.name (a method) or torch.name."""
    def ops(name):
        if name in table:
            return table[name]
        if name.startswith('F.'):
            return getattr(F, name[2:])
        if name.startswith('Tensor.'):
            method = name[len('Tensor.'):]
            return lambda self, *a, **k: getattr(self, method)(*a, **k)
        return getattr(torch, name)
    return ops


def generate(category):
    mod = importlib.import_module(f'cases.{category}')
    catalog = mod.build()
    ops = resolver(getattr(mod, 'OPS', {}))
    records = []
    for case in catalog.cases:
        torch.manual_seed(0)
        records.append(casekit.run(case, ops))
    lines = [json.dumps(r, separators=(',', ':'), allow_nan=False) for r in records]
    path = os.path.join(OUT_DIR, f'{category}.json')
    with open(path, 'w') as f:
        f.write('{"torch":' + json.dumps(torch.__version__) + ',"cases":[\n' + ',\n'.join(lines) + '\n]}\n')
    size = os.path.getsize(path)
    print(f'{category}: {len(records)} cases, {size // 1024} KiB -> {os.path.relpath(path)}')
    ids = [c.id for c in catalog.cases if c.id in casekit.INTEGRAL_FLOATS]
    if ids:
        print(f'  integral float scalars (ints in JS): {", ".join(ids)}')


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    wanted = sys.argv[1:] or CATEGORIES
    for cat in wanted:
        if cat not in CATEGORIES:
            sys.exit(f'unknown category {cat}; known: {", ".join(CATEGORIES)}')
        generate(cat)


if __name__ == '__main__':
    main()
