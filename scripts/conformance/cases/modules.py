"""
Modules: state_dict keys/shapes/dtypes and printed form of a LeNet-like net; a small conv net's forward,
backward, running statistics and eval output from given weights; a few optimizer steps (SGD with momentum,
Nesterov and weight decay; Adam; AdamW) on a small MLP; and PyTorch's default initializations, summarized as the
bounds and moments a statistical check compares with.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from casekit import dtype_name, enc_tensor


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, stride=2),
        )
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(400, 120)
        self.bn = nn.BatchNorm1d(120, momentum=0.2)
        self.fc2 = nn.Linear(120, 84)
        self.heads = nn.ModuleList([nn.Linear(84, 10), nn.Linear(84, 2, bias=False)])
        self.drop = nn.Dropout(0.25)
        self.emb = nn.Embedding(10, 3, padding_idx=0)
        self.ln = nn.LayerNorm([3], eps=1e-6)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.act = nn.GELU(approximate='tanh')


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1, bias=False)  # a bias before BatchNorm has a ~0 gradient: Adam would amplify noise
        self.bn = nn.BatchNorm2d(2)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(18, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(F.relu(self.bn(self.conv(x)))), 1))


def named(t):
    return {k: enc_tensor(v) for k, v in t}


def small_net_case():
    torch.manual_seed(1)
    net = Small()
    with torch.no_grad():
        net.bn.weight.uniform_(0.5, 1.5)
        net.bn.bias.uniform_(-0.5, 0.5)
        for p in net.parameters():
            p.copy_(torch.round(p * 1000) / 1000)  # short decimals: the same float32 on both sides
    state = {k: enc_tensor(v) for k, v in net.state_dict().items()}
    x = torch.round(torch.randn(2, 1, 6, 6) * 1000) / 1000
    y = torch.tensor([2, 0])
    out = net(x)
    loss = F.cross_entropy(out, y)
    loss.backward()
    grads = named((k, p.grad) for k, p in net.named_parameters())
    after = {k: enc_tensor(v) for k, v in net.state_dict().items() if 'running' in k or 'num_batches' in k}
    net.eval()
    with torch.no_grad():
        eval_out = net(x)
    return {
        'state': state, 'x': enc_tensor(x), 'y': enc_tensor(y), 'out': enc_tensor(out), 'loss': enc_tensor(loss),
        'gradFn': out.grad_fn.name(), 'grads': grads, 'buffersAfter': after, 'evalOut': enc_tensor(eval_out),
    }


class Mlp(nn.Module):
    """The optimizer cases' model: small, so the steps compile fast; tanh keeps every gradient nonzero."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 5)
        self.fc2 = nn.Linear(5, 3)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


OPTIMIZERS = {
    'sgd': lambda ps: torch.optim.SGD(ps, lr=0.1),
    'sgd-momentum-nesterov-wd': lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    'sgd-dampening': lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3),
    'adam': lambda ps: torch.optim.Adam(ps, lr=0.01),
    'adam-amsgrad-wd': lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True),
    'adamw': lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
}


def optimizer_cases():
    """Three steps of each optimizer from the same weights; the losses and the parameters after."""
    torch.manual_seed(2)
    net = Mlp()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.round(p * 1000) / 1000)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    x = torch.round(torch.randn(6, 4) * 1000) / 1000
    y = torch.tensor([0, 2, 1, 1, 0, 2])
    runs = {}
    for name, make in OPTIMIZERS.items():
        net.load_state_dict(state)
        opt = make(net.parameters())
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs[name] = {'losses': losses, 'params': named(net.named_parameters())}
    return {'state': {k: enc_tensor(v) for k, v in state.items()}, 'x': enc_tensor(x), 'y': enc_tensor(y), 'runs': runs}


def init_stats():
    """Default initializations: the bound of each uniform init (checked against PyTorch's own draws)."""
    cases = {
        'linear-50-40': (lambda: nn.Linear(50, 40), 50),
        'linear-7-300': (lambda: nn.Linear(7, 300), 7),
        'conv2d-3-8-k3': (lambda: nn.Conv2d(3, 8, 3), 27),
        'conv2d-4-6-k2x5-g2': (lambda: nn.Conv2d(4, 6, (2, 5), groups=2), 20),
        'conv1d-5-4-k3': (lambda: nn.Conv1d(5, 4, 3), 15),
    }
    out = {}
    for name, (make, fan_in) in cases.items():
        bound = 1 / math.sqrt(fan_in)
        ws, bs = [], []
        for s in range(20):
            torch.manual_seed(s)
            m = make()
            ws.append(m.weight.detach().reshape(-1))
            bs.append(m.bias.detach().reshape(-1))
        w, b = torch.cat(ws), torch.cat(bs)
        assert w.abs().max() <= bound and w.abs().max() > 0.98 * bound, name
        assert b.abs().max() <= bound and b.abs().max() > 0.9 * bound, name
        out[name] = {'fanIn': fan_in, 'weightBound': bound, 'biasBound': bound,
                     'weightStd': float(w.std()), 'biasStd': float(b.std()), 'weightShape': list(m.weight.shape)}
    torch.manual_seed(0)
    e = nn.Embedding(200, 30).weight.detach()
    out['embedding-200-30'] = {'mean': float(e.mean()), 'std': float(e.std()), 'padding_idx_row_zero': None}
    return out


def generate():
    torch.manual_seed(0)
    lenet = LeNet()
    bn = nn.BatchNorm2d(4)
    small = small_net_case()
    return {
        'stateDictKeys': {
            'lenet': [[k, list(v.shape), dtype_name(v)] for k, v in lenet.state_dict().items()],
            'batchnorm2d': [[k, list(v.shape), dtype_name(v)] for k, v in bn.state_dict().items()],
        },
        'namedParameters': [k for k, _ in lenet.named_parameters()],
        'repr': {
            'lenet': str(lenet),
            'conv2d-full': str(nn.Conv2d(2, 4, (3, 5), stride=(2, 1), padding=1, dilation=2, groups=2, bias=False, padding_mode='reflect')),
            'maxpool-ceil': str(nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)),
            'avgpool': str(nn.AvgPool2d(2, count_include_pad=False)),
            'batchnorm-no-track': str(nn.BatchNorm1d(5, eps=1e-3, momentum=None, affine=False, track_running_stats=False)),
            'leaky-relu': str(nn.LeakyReLU(0.2)),
            'softmax': str(nn.Softmax(dim=1)),
            'sequential': str(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Sigmoid(), nn.Identity())),
        },
        'small': small,
        'optimizers': optimizer_cases(),
        'init': init_stats(),
    }
