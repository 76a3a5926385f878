/** What devices whose buffers are JS typed arrays (cpu, interp) share: their memory methods. */
import type { DType, Node, TypedArray } from '../ir/index.js';
import { Buffer } from './buffer.js';
import type { Device, ExecuteInfo } from './device.js';

export abstract class HostDevice implements Device {
  readonly host = true;
  constructor(readonly name: string) {}
  /** Fresh zero-filled memory for `size` elements of `dtype`. */
  protected abstract zeroed(dtype: DType, size: number): TypedArray;
  abstract execute(roots: readonly Node[], info?: ExecuteInfo): Buffer[];

  alloc(dtype: DType, size: number): Buffer {
    return new Buffer(this.name, dtype, size, this.zeroed(dtype, size));
  }
  fromHost(dtype: DType, data: TypedArray): Buffer {
    return new Buffer(this.name, dtype, data.length, data);
  }
  toHost(buf: Buffer): TypedArray {
    return buf.host!;
  }
  synchronize(): void {}
}
