/**
 * Typed errors. Every error names the operation and the shapes/dtypes/devices involved.
 * They live in the first stage (ir) so that every later stage can throw them.
 */
export class GraftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit the operation (PyTorch raises RuntimeError for these). */
export class ShapeError extends GraftError {}
/** A dtype the operation does not accept. */
export class DTypeError extends GraftError {}
/** An index out of range, or an index of the wrong kind. */
export class IndexError extends GraftError {}
/** Tensors on different devices, or a device that is not available. */
export class DeviceError extends GraftError {}
/** A kernel could not be compiled (missing compiler, compiler failure). */
export class CompileError extends GraftError {}
/** A value that the operation cannot take (bad argument, division of integers by zero, ...). */
export class ValueError extends GraftError {}
/**
 * An argument of the wrong kind: a wrong type, an unknown option, a missing required argument (PyTorch's
 * TypeError, e.g. "got an unexpected keyword argument").
 */
export class ArgumentError extends GraftError {}
/** Misuse of autograd (backward twice, in-place on a leaf that requires grad, ...). */
export class AutogradError extends GraftError {}
/** A malformed file (safetensors, .npy). */
export class FormatError extends GraftError {}
/**
 * A file or folder that could not be read or written (PyTorch's OSError: a missing file or folder, no
 * permission, a full disk). `path` is the path the caller gave; `code` the system's code (ENOENT, ENOSPC, ...).
 */
export class FileError extends GraftError {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}
/** Integer division (or remainder) by zero, as Python's ZeroDivisionError. */
export class ZeroDivisionError extends GraftError {}
/** Memory could not be allocated (PyTorch: "DefaultCPUAllocator: can't allocate memory", CUDA's OutOfMemoryError). */
export class OutOfMemoryError extends DeviceError {}
