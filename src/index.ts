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

import type { DType, UnsupportedDType } from './ir/index.js';
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
 * PyTorch's other dtypes, named so that code using them gets a clear DTypeError ("not supported yet")
 * rather than `undefined` meaning the default dtype. Their type is not DType: TypeScript refuses them too.
 */
export const float16: UnsupportedDType = 'float16';
export const half: UnsupportedDType = 'float16';
export const bfloat16: UnsupportedDType = 'bfloat16';
export const uint8: UnsupportedDType = 'uint8';
export const int8: UnsupportedDType = 'int8';
export const int16: UnsupportedDType = 'int16';
export const short: UnsupportedDType = 'int16';

// Files: torch.save / torch.load (safetensors), .npy, and the lower-level functions under torch.io.
export { save, load, saveNpy, loadNpy } from './io/index.js';
export * as io from './io/index.js';

// Data: torch.utils.data (Dataset, TensorDataset, DataLoader) and torch.datasets (MNIST, like torchvision's).
export * as utils from './data/utils.js';
export * as datasets from './data/datasets.js';
