/**
 * graft: PyTorch's way of working for TypeScript, as a lazy graph compiler.
 *
 *   import * as torch from 'graft';
 */
import './runtime/index.js';
export * from './tensor/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as aot from './aot/index.js';
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
  type UnsupportedDType,
} from './ir/index.js';

import type { DType } from './ir/index.js';
export const float32: DType = 'float32';
export const float: DType = 'float32';
export const float64: DType = 'float64';
export const double: DType = 'float64';
export const int32: DType = 'int32';
export const int: DType = 'int32';
/** 64-bit integers (stored in BigInt64Arrays): the dtype of indices, labels, integer sums and bigint data. */
export const int64: DType = 'int64';
export const long: DType = 'int64';
export const bool: DType = 'bool';
/**
 * The narrow dtypes (issue 14): float16 and bfloat16 are stored as their 16 bits and computed in float32,
 * rounded back after every op; uint8, int8 and int16 compute in int32 and wrap back to their width.
 */
export const float16: DType = 'float16';
export const half: DType = 'float16';
export const bfloat16: DType = 'bfloat16';
export const uint8: DType = 'uint8';
export const int8: DType = 'int8';
export const int16: DType = 'int16';
export const short: DType = 'int16';

// Files: torch.save / torch.load (safetensors), .npy, and the lower-level functions under torch.io.
export { save, load, saveNpy, loadNpy } from './io/index.js';
export * as io from './io/index.js';

// Data: torch.utils.data (Dataset, TensorDataset, DataLoader) and torch.datasets (MNIST, like torchvision's).
export * as utils from './data/utils.js';
export * as datasets from './data/datasets.js';
