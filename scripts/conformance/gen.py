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
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import casekit  # noqa: E402

CATEGORIES = ['creation', 'elementwise', 'reduction', 'movement', 'indexing', 'linalg', 'autograd', 'nn', 'loss',
              'modules', 'printing', 'large', 'sequence', 'nn2', 'ops2', 'dtypes']
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


def share_inputs(records):
    """Inputs used by several cases are stored once, in `shared`; a case refers to one as {"shared": i}."""
    key = lambda r: json.dumps({k: r[k] for k in ('shape', 'dtype', 'values')})  # noqa: E731
    counts = {}
    for rec in records:
        for inp in rec['inputs']:
            counts[key(inp)] = counts.get(key(inp), 0) + 1
    shared, index = [], {}
    for rec in records:
        for i, inp in enumerate(rec['inputs']):
            k = key(inp)
            if counts[k] < 2 or len(inp['values']) < 8:
                continue
            if k not in index:
                index[k] = len(shared)
                shared.append({f: inp[f] for f in ('shape', 'dtype', 'values')})
            rec['inputs'][i] = dict({'shared': index[k]}, **({'grad': True} if inp.get('grad') else {}))
    return shared


def generate(category):
    mod = importlib.import_module(f'cases.{category}')
    if hasattr(mod, 'generate'):
        # A fixture of its own shape (modules): written as the module returns it.
        data = dict({'torch': torch.__version__}, **mod.generate())
        path = os.path.join(OUT_DIR, f'{category}.json')
        with open(path, 'w') as f:
            json.dump(data, f, separators=(',', ':'), allow_nan=False)
            f.write('\n')
        print(f'{category}: {os.path.getsize(path) // 1024} KiB -> {os.path.relpath(path)}')
        return
    catalog = mod.build()
    ops = resolver(getattr(mod, 'OPS', {}))
    records, problems = [], []
    for case in catalog.cases:
        torch.manual_seed(0)
        try:
            records.append(casekit.run(case, ops))
        except RuntimeError as e:
            problems.append(str(e))
    if problems:
        sys.exit(f'{category}: {len(problems)} case(s) to fix:\n' + '\n'.join(problems))
    shared = share_inputs(records)
    dump = lambda o: json.dumps(o, separators=(',', ':'), allow_nan=False)  # noqa: E731
    path = os.path.join(OUT_DIR, f'{category}.json')
    with open(path, 'w') as f:
        f.write('{"torch":' + json.dumps(torch.__version__) + ',\n"shared":[\n' + ',\n'.join(map(dump, shared)) + '\n],\n')
        f.write('"cases":[\n' + ',\n'.join(map(dump, records)) + '\n]}\n')
    size = os.path.getsize(path)
    print(f'{category}: {len(records)} cases, {size // 1024} KiB -> {os.path.relpath(path)}')
    ids = [c.id for c in catalog.cases if c.id in casekit.INTEGRAL_FLOATS]
    if ids:
        print(f'  integral float scalars (ints in JS): {", ".join(ids)}')


def main():
    warnings.filterwarnings('ignore', category=UserWarning)  # F.sigmoid/F.tanh are deprecated aliases
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    wanted = sys.argv[1:] or CATEGORIES
    for cat in wanted:
        if cat not in CATEGORIES:
            sys.exit(f'unknown category {cat}; known: {", ".join(CATEGORIES)}')
        generate(cat)


if __name__ == '__main__':
    main()
