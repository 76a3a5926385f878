/**
 * graft: PyTorch's way of working for TypeScript, as a lazy graph compiler.
 *
 *   import * as torch from 'graft';
 */
import './runtime/index.js';
export * from './tensor/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export {
  GraftError,
  ShapeError,
  DTypeError,
  IndexError,
  DeviceError,
  CompileError,
  ValueError,
  ArgumentError,
  AutogradError,
  FormatError,
  FileError,
  ZeroDivisionError,
  type DType,
} from './ir/index.js';

import type { DType } from './ir/index.js';
export const float32: DType = 'float32';
export const float: DType = 'float32';
export const float64: DType = 'float64';
export const double: DType = 'float64';
export const int32: DType = 'int32';
export const int: DType = 'int32';
/** graft has no 64-bit integers: long means int32 here. */
export const long: DType = 'int32';
export const int64: DType = 'int32';
export const bool: DType = 'bool';

// Files: torch.save / torch.load (safetensors), .npy, and the lower-level functions under torch.io.
export { save, load, saveNpy, loadNpy } from './io/index.js';
export * as io from './io/index.js';

// Data: torch.utils.data (Dataset, TensorDataset, DataLoader) and torch.datasets (MNIST, like torchvision's).
export * as utils from './data/utils.js';
export * as datasets from './data/datasets.js';
