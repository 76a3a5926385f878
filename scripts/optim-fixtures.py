"""Expected values for test/optim: optimizer steps and learning-rate schedules as PyTorch 1.13 computes them.

Run with a Python that has PyTorch 1.13: /usr/bin/python3 scripts/optim-fixtures.py
Writes test/optim/fixtures/optimizers.json, test/optim/fixtures/schedulers.json and test/nn/fixtures/utils.json
(torch.nn.utils) (committed; CI has no PyTorch).
Options are written with graft's camelCase names; the tests pass them to graft as they are.
"""
import json
import math
import os
import re

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'optim', 'fixtures')


def snake(name):
    special = {'TMax': 'T_max', 'T0': 'T_0', 'TMult': 'T_mult'}
    return special.get(name, re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name))


def kw(opts):
    return {snake(k): (tuple(v) if k == 'betas' else v) for k, v in opts.items()}


# ---- optimizers ------------------------------------------------------------------------------------------

PARAMS = [[1.0, -2.0, 3.0, 0.5], [[0.25, -0.75], [1.5, -0.1]]]
GRADS = [
    [[0.5, -1.0, 2.0, 0.0], [[0.1, 0.3], [-0.2, 0.05]]],
    [[0.1, 0.3, -0.2, 0.7], [[-0.4, 0.0], [1.5, 0.2]]],
    [[-0.4, 0.0, 1.5, -0.3], [[0.3, -0.6], [0.0, 0.9]]],
    [[0.2, -0.5, 0.1, 0.4], [[0.8, 0.1], [-0.3, -0.7]]],
    [[0.6, 0.2, -0.9, 0.1], [[-0.2, 0.5], [0.4, 0.3]]],
    [[-0.1, 0.8, 0.3, -0.6], [[0.0, -0.3], [0.7, -0.1]]],
    [[0.3, -0.2, -0.4, 0.9], [[0.6, 0.2], [-0.5, 0.4]]],
]

OPTIM_CASES = [
    ('SGD', {'lr': 0.1, 'maximize': True}),
    ('SGD', {'lr': 0.1, 'momentum': 0.9, 'weightDecay': 0.1, 'maximize': True}),
    ('RMSprop', {}),
    ('RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-6, 'weightDecay': 0.1}),
    ('RMSprop', {'lr': 0.01, 'momentum': 0.9}),
    ('RMSprop', {'lr': 0.01, 'centered': True}),
    ('RMSprop', {'lr': 0.02, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.05, 'maximize': True}),
    ('Adagrad', {}),
    ('Adagrad', {'lr': 0.1, 'lrDecay': 0.1, 'weightDecay': 0.1}),
    ('Adagrad', {'lr': 0.1, 'initialAccumulatorValue': 0.5, 'eps': 1e-6, 'maximize': True}),
    ('Adadelta', {}),
    ('Adadelta', {'lr': 0.5, 'rho': 0.8, 'eps': 1e-4, 'weightDecay': 0.1}),
    ('Adadelta', {'maximize': True}),
    ('Adamax', {}),
    ('Adamax', {'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.1}),
    ('Adamax', {'lr': 0.01, 'maximize': True}),
    ('NAdam', {}),
    ('NAdam', {'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.1, 'momentumDecay': 0.01}),
    ('RAdam', {}),
    ('RAdam', {'lr': 0.01, 'betas': [0.8, 0.9], 'eps': 1e-6, 'weightDecay': 0.1}),
]

# param groups: the second group overrides some options
GROUP_CASES = [
    ('RMSprop', {'lr': 0.01, 'momentum': 0.9}, {'lr': 0.05, 'centered': True}),
    ('Adagrad', {'lr': 0.1}, {'lrDecay': 0.2}),
    ('Adadelta', {'lr': 1.0}, {'rho': 0.5}),
    ('Adamax', {'lr': 0.01}, {'betas': [0.5, 0.9]}),
    ('NAdam', {'lr': 0.01}, {'momentumDecay': 0.1}),
    ('RAdam', {'lr': 0.01}, {'weightDecay': 0.2}),
]

ERROR_CASES = [
    ('RMSprop', {'lr': -1}), ('RMSprop', {'eps': -1}), ('RMSprop', {'momentum': -1}),
    ('RMSprop', {'weightDecay': -1}), ('RMSprop', {'alpha': -1}),
    ('Adagrad', {'lr': -1}), ('Adagrad', {'lrDecay': -1}), ('Adagrad', {'weightDecay': -1}),
    ('Adagrad', {'initialAccumulatorValue': -1}), ('Adagrad', {'eps': -1}),
    ('Adadelta', {'lr': -1}), ('Adadelta', {'rho': 1.5}), ('Adadelta', {'eps': -1}), ('Adadelta', {'weightDecay': -1}),
    ('Adamax', {'lr': -1}), ('Adamax', {'eps': -1}), ('Adamax', {'betas': [1.0, 0.9]}), ('Adamax', {'betas': [0.9, -0.1]}),
    ('Adamax', {'weightDecay': -1}),
    ('NAdam', {'lr': -1}), ('NAdam', {'eps': -1}), ('NAdam', {'betas': [-0.1, 0.9]}), ('NAdam', {'weightDecay': -1}),
    ('NAdam', {'momentumDecay': -1}),
    ('RAdam', {'lr': -1}), ('RAdam', {'eps': -1}), ('RAdam', {'betas': [0.9, 1.0]}), ('RAdam', {'weightDecay': -1}),
]


def run_optimizer(name, opts, group2=None):
    ps = [torch.tensor(v, requires_grad=True) for v in PARAMS]
    if group2 is None:
        opt = getattr(torch.optim, name)(ps, **kw(opts))
    else:
        opt = getattr(torch.optim, name)([{'params': [ps[0]]}, {'params': [ps[1]], **kw(group2)}], **kw(opts))
    steps = []
    for g in GRADS:
        for p, gv in zip(ps, g):
            p.grad = torch.tensor(gv)
        opt.step()
        steps.append([p.detach().tolist() for p in ps])
    return steps


def optimizers():
    cases = [{'name': n, 'opts': o, 'steps': run_optimizer(n, o)} for n, o in OPTIM_CASES]
    cases += [{'name': n, 'opts': o, 'group2': g2, 'steps': run_optimizer(n, o, g2)} for n, o, g2 in GROUP_CASES]
    errors = []
    for n, o in ERROR_CASES:
        try:
            getattr(torch.optim, n)([torch.zeros(1, requires_grad=True)], **kw(o))
        except ValueError as e:
            errors.append({'name': n, 'opts': o, 'message': str(e)})
        else:
            raise AssertionError((n, o))
    return {'params': PARAMS, 'grads': GRADS, 'cases': cases, 'errors': errors}


# ---- schedulers ------------------------------------------------------------------------------------------

LAMBDAS = {'pow95': lambda e: 0.95 ** e, 'inverse': lambda e: 1.0 / (e + 1), 'warmup3': lambda e: min(1.0, (e + 1) / 3)}


def make_scheduler(opt, spec):
    name, opts = spec['name'], dict(spec.get('opts', {}))
    S = torch.optim.lr_scheduler
    if name == 'LambdaLR':
        f = opts.pop('lrLambda')
        opts['lrLambda'] = [LAMBDAS[x] for x in f] if isinstance(f, list) else LAMBDAS[f]
    if name == 'SequentialLR':
        opts['schedulers'] = [make_scheduler(opt, s) for s in opts['schedulers']]
    return getattr(S, name)(opt, **kw(opts))


def group_values(opt):
    out = {'lr': [g['lr'] for g in opt.param_groups]}
    if 'momentum' in opt.defaults:
        out['momentum'] = [g['momentum'] for g in opt.param_groups]
    if 'betas' in opt.defaults:
        out['beta1'] = [g['betas'][0] for g in opt.param_groups]
    return out


SCHED_CASES = [
    {'name': 'LinearLR', 'opts': {}},
    {'name': 'LinearLR', 'opts': {'startFactor': 0.5, 'endFactor': 0.1, 'totalIters': 4}},
    {'name': 'ExponentialLR', 'opts': {'gamma': 0.9}},
    {'name': 'MultiStepLR', 'opts': {'milestones': [2, 5, 5, 8], 'gamma': 0.5}},
    {'name': 'MultiStepLR', 'opts': {'milestones': [3]}},
    {'name': 'LambdaLR', 'opts': {'lrLambda': 'pow95'}},
    {'name': 'LambdaLR', 'opts': {'lrLambda': ['inverse', 'warmup3']}, 'groups': 2},
    {'name': 'SequentialLR', 'opts': {'schedulers': [{'name': 'LinearLR', 'opts': {'startFactor': 0.1, 'totalIters': 3}},
                                                     {'name': 'ExponentialLR', 'opts': {'gamma': 0.8}}], 'milestones': [3]}},
    {'name': 'SequentialLR', 'opts': {'schedulers': [{'name': 'LambdaLR', 'opts': {'lrLambda': 'warmup3'}},
                                                     {'name': 'StepLR', 'opts': {'stepSize': 2, 'gamma': 0.5}},
                                                     {'name': 'CosineAnnealingLR', 'opts': {'TMax': 4, 'etaMin': 0.01}}],
                                      'milestones': [2, 6]}},
    {'name': 'CosineAnnealingWarmRestarts', 'opts': {'T0': 3}},
    {'name': 'CosineAnnealingWarmRestarts', 'opts': {'T0': 2, 'TMult': 2, 'etaMin': 0.01}},
    {'name': 'CosineAnnealingWarmRestarts', 'opts': {'T0': 2, 'TMult': 2}, 'epochs': [0.5, 1.0, 2.5, 7.25, None, None, 3, None, 20]},
    {'name': 'CosineAnnealingWarmRestarts', 'opts': {'T0': 4}, 'epochs': [0.5, 4.5, None, 9, None]},
    {'name': 'OneCycleLR', 'opts': {'maxLr': 1.0, 'totalSteps': 10}, 'optimizer': ['SGD', {'lr': 0.1, 'momentum': 0.9}], 'steps': 9},
    {'name': 'OneCycleLR', 'opts': {'maxLr': [0.5, 0.2], 'epochs': 3, 'stepsPerEpoch': 4, 'pctStart': 0.25, 'annealStrategy': 'linear',
                                    'divFactor': 10.0, 'finalDivFactor': 100.0, 'baseMomentum': 0.8, 'maxMomentum': 0.9},
     'optimizer': ['Adam', {'lr': 0.1}], 'groups': 2, 'steps': 11},
    {'name': 'OneCycleLR', 'opts': {'maxLr': 0.3, 'totalSteps': 12, 'threePhase': True, 'cycleMomentum': False}, 'steps': 11},
    {'name': 'OneCycleLR', 'opts': {'maxLr': 0.3, 'totalSteps': 8, 'pctStart': 0.5}, 'optimizer': ['RMSprop', {'lr': 0.1, 'momentum': 0.5}], 'steps': 7},
]

PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.9, 0.91, 0.92, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.8, 0.8]
PLATEAU_CASES = [
    {},
    {'patience': 1},
    {'mode': 'max', 'factor': 0.5, 'patience': 1, 'threshold': 0.01, 'thresholdMode': 'abs'},
    {'factor': 0.5, 'patience': 0, 'cooldown': 2, 'minLr': 0.02},
    {'factor': 0.5, 'patience': 0, 'minLr': [0.04, 0.001], 'eps': 1e-3, 'threshold': 0.1},
]

SCHED_ERRORS = [
    ('LinearLR', {'startFactor': 1.5}), ('LinearLR', {'endFactor': -0.5}),
    ('CosineAnnealingWarmRestarts', {'T0': 0}), ('CosineAnnealingWarmRestarts', {'T0': 2, 'TMult': 0}),
    ('OneCycleLR', {'maxLr': 1.0}), ('OneCycleLR', {'maxLr': 1.0, 'totalSteps': 0}),
    ('OneCycleLR', {'maxLr': 1.0, 'epochs': 0, 'stepsPerEpoch': 2}), ('OneCycleLR', {'maxLr': 1.0, 'epochs': 2, 'stepsPerEpoch': -1}),
    ('OneCycleLR', {'maxLr': 1.0, 'totalSteps': 5, 'pctStart': 1.5}),
    ('OneCycleLR', {'maxLr': 1.0, 'totalSteps': 5, 'annealStrategy': 'exp'}),
    ('OneCycleLR', {'maxLr': [1.0, 2.0], 'totalSteps': 5}),
    ('ReduceLROnPlateau', {'factor': 1.0}), ('ReduceLROnPlateau', {'mode': 'avg'}),
    ('ReduceLROnPlateau', {'thresholdMode': 'pct'}), ('ReduceLROnPlateau', {'minLr': [0.1, 0.2]}),
    ('LambdaLR', {'lrLambda': ['pow95', 'pow95']}),
]


def make_optimizer(spec, groups):
    name, opts = spec if spec else ('SGD', {'lr': 0.1})
    ps = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
    pg = [{'params': [p]} for p in ps]
    if groups > 1:
        pg[1]['lr'] = opts['lr'] * 0.5
    return getattr(torch.optim, name)(pg, **kw(opts))


def schedulers():
    cases = []
    for c in SCHED_CASES:
        opt = make_optimizer(c.get('optimizer'), c.get('groups', 1))
        s = make_scheduler(opt, c)
        seq = [{**group_values(opt), 'last': list(s.get_last_lr())}]
        epochs = c.get('epochs') or [None] * c.get('steps', 12)
        for e in epochs:
            opt.step()
            s.step() if e is None else s.step(e)
            seq.append({**group_values(opt), 'last': list(s.get_last_lr())})
        cases.append({**c, 'seq': seq})
    plateau = []
    for o in PLATEAU_CASES:
        opt = make_optimizer(None, 2)
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw(o))
        seq = []
        for m in PLATEAU_METRICS:
            s.step(m)
            seq.append([g['lr'] for g in opt.param_groups])
        plateau.append({'opts': o, 'seq': seq})
    errors = []
    for n, o in SCHED_ERRORS:
        opt = make_optimizer(None, 1)
        try:
            if n == 'ReduceLROnPlateau':
                torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw(o))
            else:
                make_scheduler(opt, {'name': n, 'opts': o})
        except ValueError as e:
            errors.append({'name': n, 'opts': o, 'message': str(e)})
        else:
            raise AssertionError((n, o))
    # Stepping OneCycleLR past its total
    opt = make_optimizer(None, 1)
    s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    try:
        for _ in range(4):
            s.step()
    except ValueError as e:
        errors.append({'name': 'OneCycleLR', 'opts': {'maxLr': 1.0, 'totalSteps': 3}, 'steps': 4, 'message': str(e)})
    return {'lambdas': list(LAMBDAS), 'cases': cases, 'plateau': {'metrics': PLATEAU_METRICS, 'cases': plateau}, 'errors': errors}


# ---- torch.nn.utils ----------------------------------------------------------------------------------------

CLIP_GRADS = [[[3.0, -4.0], [1.0, 0.5]], [0.25, -2.0, 1.5], [[[0.1]], [[-0.7]]]]


def nn_utils():
    from torch.nn.utils import clip_grad_norm_, clip_grad_value_
    from torch.nn.utils.rnn import pad_sequence
    clip = []
    for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (2.0, 1.0), (0.5, math.inf), (1.5, 3.0), (1.0, 0.5)]:
        for dtype in ['float32', 'float64']:
            ps = [torch.zeros(torch.tensor(g).shape, dtype=getattr(torch, dtype), requires_grad=True) for g in CLIP_GRADS]
            for p, g in zip(ps, CLIP_GRADS):
                p.grad = torch.tensor(g, dtype=getattr(torch, dtype))
            total = clip_grad_norm_(ps, max_norm, norm_type=norm_type)
            clip.append({'maxNorm': max_norm, 'normType': 'inf' if norm_type == math.inf else norm_type, 'dtype': dtype,
                         'total': total.item(), 'grads': [p.grad.tolist() for p in ps]})
    ps = [torch.zeros(torch.tensor(g).shape, requires_grad=True) for g in CLIP_GRADS]
    for p, g in zip(ps, CLIP_GRADS):
        p.grad = torch.tensor(g)
    clip_grad_value_(ps, 0.6)
    seqs = [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0]], [[9.0, 10.0], [11.0, 12.0]]]
    pads = []
    for batch_first, padding_value in [(False, 0.0), (True, -1.5)]:
        xs = [torch.tensor(s, requires_grad=True) for s in seqs]
        out = pad_sequence(xs, batch_first=batch_first, padding_value=padding_value)
        w = torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape) / 10
        (out * w).sum().backward()
        pads.append({'batchFirst': batch_first, 'paddingValue': padding_value, 'out': out.tolist(), 'w': w.tolist(), 'grads': [x.grad.tolist() for x in xs]})
    return {'clipGrads': CLIP_GRADS, 'clipGradNorm': clip, 'clipGradValue': {'clipValue': 0.6, 'grads': [p.grad.tolist() for p in ps]},
            'padSequence': {'sequences': seqs, 'cases': pads}}


def write(name, obj, out=OUT):
    with open(os.path.join(out, name), 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')


assert torch.__version__.startswith('1.13'), torch.__version__
write('optimizers.json', optimizers())
write('schedulers.json', schedulers())
write('utils.json', nn_utils(), os.path.join(os.path.dirname(__file__), '..', 'test', 'nn', 'fixtures'))
