/**
 * The tensor part of PyTorch's "Learn the Basics" tutorial (Tensors), in graft:
 *
 *   npx graft run examples/01-tensors.ts
 */
import * as torch from 'graft';

torch.manualSeed(0);

// --- Initializing a tensor ------------------------------------------------------------------------------
// Directly from data: the dtype is inferred. A JS number is a float (like a Python float: JS cannot tell 1.0
// from 1), so integer data is written as bigints, which give int64 as Python's ints do.
const data = [
  [1n, 2n],
  [3n, 4n],
];
const xData = torch.tensor(data);
console.log(`Tensor from data:\n${xData}\n`);

// From a typed array ("NumPy array"): no copy, the memory is shared.
const npArray = new Float64Array([1, 2, 3, 4]);
const xNp = torch.fromNumpy(npArray);
console.log(`Tensor from a typed array:\n${xNp}\n`);

// From another tensor: same shape and dtype unless overridden.
const xOnes = torch.onesLike(xData);
console.log(`Ones Tensor:\n${xOnes}\n`);
const xRand = torch.randLike(xData, { dtype: torch.float });
console.log(`Random Tensor:\n${xRand}\n`);

// With random or constant values, from a shape.
const shape = [2, 3];
console.log(`Random Tensor:\n${torch.rand(shape)}\n`);
console.log(`Ones Tensor:\n${torch.ones(shape)}\n`);
console.log(`Zeros Tensor:\n${torch.zeros(shape)}\n`);

// --- Attributes of a tensor -------------------------------------------------------------------------------
let tensor = torch.rand(3, 4);
console.log(`Shape of tensor: [${tensor.shape.join(', ')}]`);
console.log(`Datatype of tensor: ${tensor.dtype}`);
console.log(`Device tensor is stored on: ${tensor.device}\n`);

// --- Operations on tensors --------------------------------------------------------------------------------
// Move to the GPU when there is one (on a machine without CUDA, x.cuda() throws a DeviceError saying so).
if (torch.cuda.isAvailable()) tensor = tensor.cuda();
console.log(`CUDA available: ${torch.cuda.isAvailable()}\n`);

// Standard indexing and slicing: x.index(...) is Python's x[...]; basic indexing gives views.
tensor = torch.ones(4, 4);
console.log(`First row: ${tensor.index(0)}`);
console.log(`First column: ${tensor.index(':', 0)}`);
console.log(`Last column: ${tensor.index('...', -1)}`);
tensor.index(':', 1).fill_(0); // writes through the view: tensor[:, 1] = 0
console.log(`${tensor}\n`);

// Joining tensors.
const t1 = torch.cat([tensor, tensor, tensor], 1);
console.log(`${t1}\n`);

// Arithmetic: nothing is computed until a value is needed (here: printing).
// Matrix product: tensor @ tensor.T three ways.
const m1 = tensor.matmul(tensor.T);
const m2 = torch.matmul(tensor, tensor.T);
const m3 = torch.randLike(m1);
torch.matmul(tensor, tensor.T, { out: m3 });
const same = (a: torch.Tensor, b: torch.Tensor): boolean => JSON.stringify(a.tolist()) === JSON.stringify(b.tolist());
console.log(`tensor @ tensor.T:\n${m1}\nthe three ways agree: ${same(m1, m2) && same(m1, m3)}\n`);
// Elementwise product three ways.
const y1 = tensor.mul(tensor);
const y2 = torch.mul(tensor, tensor);
const y3 = torch.randLike(tensor);
torch.mul(tensor, tensor, { out: y3 });
console.log(`tensor * tensor:\n${y1}\n`);
console.log(`torch.mul(tensor, tensor) gives the same: ${same(y2, y1)}; so does writing into y3: ${same(y3, y1)}\n`);

// Single-element tensors: aggregate, then item() gives a JS number.
const agg = tensor.sum();
const aggItem = agg.item();
console.log(`${aggItem} ${typeof aggItem}\n`);

// The graph behind a pending result, one IR node per line.
const z = tensor.mul(2).add(1).sigmoid();
console.log(`The IR of tensor.mul(2).add(1).sigmoid():\n${torch.ir.print(z)}\n`);

// In-place operations end in an underscore and change their operand.
console.log(`${tensor}\n`);
tensor.add_(5);
console.log(`${tensor}\n`);

// --- Bridge with NumPy (typed arrays) ---------------------------------------------------------------------
// Tensor to NDArray: the memory is shared, so a change to the tensor shows in the array.
const t = torch.ones(5);
console.log(`t: ${t}`);
const n = t.numpy();
console.log(`n: [${n.data.join(', ')}]`);
t.add_(1);
console.log(`t: ${t}`);
console.log(`n: [${n.data.join(', ')}]\n`);

// Typed array to tensor: a change to the array shows in the tensor.
const arr = new Float64Array(5).fill(1);
const t2 = torch.fromNumpy(arr);
for (let i = 0; i < arr.length; i++) arr[i]! += 1;
console.log(`t: ${t2}`);
console.log(`n: [${arr.join(', ')}]`);
