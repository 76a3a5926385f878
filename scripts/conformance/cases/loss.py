"""Losses: cross_entropy (ignore_index, label_smoothing, weight, probability targets, K-dim, reductions),
nll_loss, mse, l1, smooth_l1, huber, binary_cross_entropy (+ with_logits, pos_weight)."""
from casekit import Catalog, I, R, RN, RP, T

REDUCTIONS = ('mean', 'sum', 'none')


def build():
    c = Catalog('loss')
    logits = RN(5, 4)
    labels = I([0, 3, 1, 3, 2])
    ignored = I([0, -100, 1, 3, -100])
    w = RP(4, lo=0.2, hi=2.0, grad=False)
    probs = T(_probs(5, 4), grad=False)
    k_logits = RN(2, 3, 4)
    k_labels = I([[0, 2, 1, 1], [2, 2, 0, 1]])

    for r in REDUCTIONS:
        kw = {'reduction': r}
        c(f'cross_entropy/{r}', 'F.cross_entropy', logits, labels, kw=kw)
        c(f'cross_entropy/ignore-{r}', 'F.cross_entropy', logits, ignored, kw=kw)
        c(f'cross_entropy/weight-{r}', 'F.cross_entropy', logits, labels, kw=dict(kw, weight=w))
        c(f'cross_entropy/smoothing-{r}', 'F.cross_entropy', logits, labels, kw=dict(kw, label_smoothing=0.1))
        c(f'cross_entropy/weight-smoothing-{r}', 'F.cross_entropy', logits, labels, kw=dict(kw, weight=w, label_smoothing=0.2))
        c(f'cross_entropy/weight-ignore-{r}', 'F.cross_entropy', logits, ignored, kw=dict(kw, weight=w))
        c(f'cross_entropy/ignore-smoothing-{r}', 'F.cross_entropy', logits, ignored, kw=dict(kw, label_smoothing=0.3))
        c(f'cross_entropy/probs-{r}', 'F.cross_entropy', logits, probs, kw=kw)
        c(f'cross_entropy/probs-smoothing-{r}', 'F.cross_entropy', logits, probs, kw=dict(kw, label_smoothing=0.1))
        c(f'cross_entropy/kdim-{r}', 'F.cross_entropy', k_logits, k_labels, kw=kw)
        c(f'nll_loss/{r}', 'F.nll_loss', logits, labels, kw=kw)
        c(f'nll_loss/weight-ignore-{r}', 'F.nll_loss', logits, ignored, kw=dict(kw, weight=w))
    c('cross_entropy/probs-weight', 'F.cross_entropy', logits, probs, kw={'weight': w})
    c('cross_entropy/custom-ignore', 'F.cross_entropy', logits, labels, kw={'ignore_index': 3})
    c('cross_entropy/all-ignored', 'F.cross_entropy', logits, I([-100] * 5))
    c('cross_entropy/unbatched', 'F.cross_entropy', RN(4), I(2))
    c('cross_entropy/kdim-weight-ignore', 'F.cross_entropy', k_logits, I([[0, -100, 1, 1], [2, 2, -100, 1]]), kw={'weight': RP(3, grad=False)})
    c('cross_entropy/large-logits', 'F.cross_entropy', T([[1000.0, -1000.0, 0.0], [50.0, 60.0, 70.0]]), I([1, 2]))
    c('cross_entropy/target-out-of-range', 'F.cross_entropy', logits, I([0, 4, 1, 3, 2]), err=('IndexError', 'Target 4 is out of bounds.'))
    c('cross_entropy/batch-mismatch', 'F.cross_entropy', logits, I([0, 1]), err=('ShapeError', 'Expected input batch_size (5) to match target batch_size (2).'))
    c('cross_entropy/float-labels-shape', 'F.cross_entropy', logits, T([[0.5, 0.5]] * 5), err=('ShapeError', 'multi-target not supported'))
    c('cross_entropy/int-input', 'F.cross_entropy', I([[1, 2]]), I([0]), err=('DTypeError', 'not implemented for'))
    c('mse_loss/broadcast', 'F.mse_loss', RN(3, 1), RN(4))
    c('nll_loss/kdim', 'F.nll_loss', k_logits, k_labels)
    c('nll_loss/negative-label', 'F.nll_loss', logits, I([0, -2, 1, 3, 2]), err=('IndexError', 'Target -2 is out of bounds.'))

    x, y = RN(3, 4), RN(3, 4)
    for r in REDUCTIONS:
        kw = {'reduction': r}
        c(f'mse_loss/{r}', 'F.mse_loss', x, y, kw=kw)
        c(f'l1_loss/{r}', 'F.l1_loss', x, y, kw=kw)
        c(f'smooth_l1_loss/{r}', 'F.smooth_l1_loss', x, y, kw=kw)
        c(f'huber_loss/{r}', 'F.huber_loss', x, y, kw=kw)
    c('smooth_l1_loss/beta', 'F.smooth_l1_loss', x, y, kw={'beta': 0.5})
    c('smooth_l1_loss/beta-zero', 'F.smooth_l1_loss', x, y, kw={'beta': 0.0})
    c('huber_loss/delta', 'F.huber_loss', x, y, kw={'delta': 2.5})
    c('l1_loss/equal', 'F.l1_loss', T([1.0, 2.0, 3.0]), T([1.0, 0.0, 3.0]))
    bx = RP(3, 4, lo=0.02, hi=0.98)
    by = RP(3, 4, lo=0.0, hi=1.0, grad=False)
    for r in REDUCTIONS:
        kw = {'reduction': r}
        c(f'binary_cross_entropy/{r}', 'F.binary_cross_entropy', bx, by, kw=kw)
        c(f'binary_cross_entropy/weight-{r}', 'F.binary_cross_entropy', bx, by, kw=dict(kw, weight=RP(4, grad=False)))
        c(f'bce_with_logits/{r}', 'F.binary_cross_entropy_with_logits', x, by, kw=kw)
        c(f'bce_with_logits/pos-weight-{r}', 'F.binary_cross_entropy_with_logits', x, by, kw=dict(kw, pos_weight=RP(4, grad=False)))
    c('binary_cross_entropy/edges', 'F.binary_cross_entropy', T([0.0, 1.0, 0.0, 1.0, 0.5]), T([0.0, 1.0, 1.0, 0.0, 0.5], grad=False), kw={'reduction': 'none'}, grad=False)
    c('binary_cross_entropy/near-edges', 'F.binary_cross_entropy', T([1e-6, 0.999999, 1e-3]), T([1.0, 0.0, 0.5], grad=False))
    c('binary_cross_entropy/out-of-range', 'F.binary_cross_entropy', T([1.5, 0.5]), T([1.0, 0.0], grad=False), err=('ValueError', 'all elements of input should be between 0 and 1'))
    c('binary_cross_entropy/size-mismatch', 'F.binary_cross_entropy', bx, RP(4, grad=False), err=('ValueError', 'Using a target size (torch.Size([4])) that is different to the input size (torch.Size([3, 4])) is deprecated'))
    c('bce_with_logits/extreme', 'F.binary_cross_entropy_with_logits', T([-200.0, -30.0, 0.0, 30.0, 200.0]), T([1.0, 0.0, 0.5, 1.0, 0.0], grad=False), kw={'reduction': 'none'})
    c('bce_with_logits/weight-pos-weight', 'F.binary_cross_entropy_with_logits', x, by, kw={'weight': RP(3, 1, grad=False), 'pos_weight': RP(4, grad=False)})
    c('bce_with_logits/size-mismatch', 'F.binary_cross_entropy_with_logits', x, RP(4, grad=False), err=('ValueError', 'Target size (torch.Size([4])) must be the same as input size (torch.Size([3, 4]))'))
    c('loss/bad-reduction', 'F.mse_loss', x, y, kw={'reduction': 'avg'}, err=('ValueError', 'avg is not a valid value for reduction'))
    return c


def _probs(n, k):
    import numpy as np
    r = np.random.default_rng(7)
    p = r.uniform(0.05, 1.0, size=(n, k))
    p = np.round(p / p.sum(1, keepdims=True), 3)
    p[:, -1] = np.round(1 - p[:, :-1].sum(1), 3)
    return p.tolist()
