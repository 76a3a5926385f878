import { ArgumentError, ValueError } from '../../ir/index.js';
import type { Tensor } from '../../tensor/index.js';
import { describeValue } from '../../tensor/options.js';
import { convTransposeNd } from '../functional/conv-transpose.js';
import { checkTensorArg } from '../functional/util.js';
import { ConvNd, type ConvTransposeModuleOptions } from './conv.js';

/** What ConvTranspose1d/2d/3d share (PyTorch's _ConvTransposeNd): weight [in, out/groups, ...k], forward(x, outputSize?). */
abstract class ConvTransposeNd extends ConvNd {
  /** forward(x, outputSize?): outputSize (spatial, or with the leading dims) picks the output padding, as PyTorch. */
  override forward(x: Tensor, outputSize?: readonly number[] | null): Tensor {
    const n = this._n;
    const outputPadding = outputSize === undefined || outputSize === null ? this.outputPadding : this.outputPaddingFor(x, outputSize);
    const op = `conv_transpose${n}d`;
    return convTransposeNd(op, n, x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }

  /** PyTorch's _output_padding: the output padding that makes the output `outputSize`. */
  private outputPaddingFor(x: Tensor, outputSize: readonly number[]): number[] {
    const n = this._n;
    const name = this.constructor.name;
    checkTensorArg(name, x);
    if (!Array.isArray(outputSize) || !outputSize.every((v) => Number.isSafeInteger(v))) {
      throw new ArgumentError(`${name}.forward(): argument 'output_size' must be a list of integers, not ${describeValue(outputSize)}`);
    }
    const nonSpatial = x.dim() === n + 2 ? 2 : 1;
    let size = [...outputSize];
    if (size.length === nonSpatial + n) size = size.slice(nonSpatial);
    if (size.length !== n) {
      throw new ValueError(`ConvTranspose${n}D: for ${x.dim()}D input, output_size must have ${n} or ${nonSpatial + n} elements (got ${outputSize.length})`);
    }
    const padding = this.padding as number[];
    const min = size.map((_, d) => (x.shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1);
    const max = min.map((v, d) => v + this.stride[d]! - 1);
    if (size.some((v, i) => v < min[i]! || v > max[i]!)) {
      throw new ValueError(
        `requested an output size of [${size.join(', ')}], but valid sizes range from [${min.join(', ')}] to [${max.join(', ')}] (for an input of torch.Size([${x.shape.slice(nonSpatial).join(', ')}]))`,
      );
    }
    return size.map((v, d) => v - min[d]!);
  }
}

/** Transposed 1-D convolution: input [N, Cin, L] or [Cin, L]; weight [in, out/groups, k]. */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvTransposeModuleOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts, true);
  }
}

/** Transposed 2-D convolution: input [N, Cin, H, W] or [Cin, H, W]; weight [in, out/groups, kh, kw]. */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvTransposeModuleOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts, true);
  }
}

/** Transposed 3-D convolution: input [N, Cin, D, H, W] or [Cin, D, H, W]; weight [in, out/groups, kd, kh, kw]. */
export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvTransposeModuleOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts, true);
  }
}
