/** torch.datasets: ready-made datasets (torchvision.datasets in PyTorch). */
export { MNIST, type MNISTOptions } from './mnist.js';
export { parseIdx, readIdx, type Idx } from './idx.js';
