/** torch.datasets: ready-made datasets (torchvision.datasets in PyTorch). */
export { MNIST, type MNISTOptions } from './mnist.js';
export { decodeIdx, parseIdx, readIdx, type Idx } from './idx.js';
