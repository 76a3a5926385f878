/**
 * The manifest of an ahead-of-time artifact (`torch.aot.save`): a versioned, checksummed JSON file that
 * says everything needed to run the saved steps with no compiler — each step's argument guards, slots
 * (name, role, shape, dtype), program plan (kernel order, buffer slots), where results go — and the files
 * beside it with their hashes: the C source, the shared object built from it (and the compiler flags and
 * CPU features it was built for), and the state.
 */
import { z } from 'zod';
import { sha256Hex } from '../compiler/cache/disk-cache.js';

export const AOT_FORMAT = 'graft-aot';
export const AOT_VERSION = 1;

const dtype = z.enum(['float32', 'float64', 'int32', 'int64', 'bool', 'float16', 'bfloat16', 'uint8', 'int8', 'int16']);
const nat = z.number().int().nonnegative();
const shape = z.array(nat);

const source = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('arg'), index: nat }),
  z.object({ kind: z.literal('state'), name: z.string() }),
  z.object({ kind: z.literal('const'), name: z.string() }),
  z.object({ kind: z.literal('seed'), draw: nat }),
]);
const ref = z.union([z.object({ out: nat }).strict(), z.object({ src: source }).strict()]);
const target = z.union([z.object({ arg: nat }).strict(), z.object({ state: z.string() }).strict()]);

type TemplateJSON = { t: z.infer<typeof ref> } | { array: TemplateJSON[] } | { object: [string, TemplateJSON][] } | { value: unknown };
const template: z.ZodType<TemplateJSON> = z.lazy(() =>
  z.union([
    z.object({ t: ref }).strict(),
    z.object({ array: z.array(template) }).strict(),
    z.object({ object: z.array(z.tuple([z.string(), template])) }).strict(),
    z.object({ value: z.union([z.number(), z.string(), z.boolean(), z.null()]) }).strict(),
  ]),
);

const role = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('input') }),
  z.object({ kind: z.literal('view'), of: nat, offset: nat }),
  z.object({ kind: z.literal('temp') }),
  z.object({ kind: z.literal('output') }),
  z.object({ kind: z.literal('scratch') }),
  z.object({ kind: z.literal('assign'), target: nat, viaTemp: z.boolean(), readLater: z.array(nat) }),
]);

const plan = z.object({
  functions: z.array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), gemm: z.boolean() })),
  slots: z.array(z.object({ dtype, numel: nat, role })),
  nInputs: nat,
  kernels: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['loops', 'scan', 'scatter', 'gemm']),
      fn: nat,
      args: z.array(nat),
      minBytes: z.array(nat),
      shape,
      dtype,
      flops: z.number(),
      bytes: z.number(),
      errors: z.object({ index: z.array(z.string()), zerodiv: z.boolean(), negpow: z.boolean() }),
      ops: z.array(z.string()),
      inPlace: z.array(z.tuple([nat, nat])).optional(),
    }),
  ),
  steps: z.array(
    z.discriminatedUnion('op', [
      z.object({ op: z.literal('alloc'), slot: nat }),
      z.object({ op: z.literal('run'), kernel: nat }),
      z.object({ op: z.literal('free'), slot: nat }),
      z.object({ op: z.literal('copy'), from: nat, to: nat }),
    ]),
  ),
  outputs: z.array(nat),
  threads: z.number().int().positive(),
});

const guard = z.union([
  z.object({ kind: z.literal('tensor'), name: z.string(), shape, dtype, requiresGrad: z.boolean() }),
  z.object({ kind: z.literal('value'), name: z.string(), value: z.union([z.number(), z.string(), z.boolean(), z.null()]) }),
  // A number the program takes as a value: written into the lifted constants at `positions` (rounded to their dtypes).
  z.object({ kind: z.literal('number'), name: z.string(), integral: z.boolean(), positions: z.array(nat) }),
]);

const step = z.object({
  structure: z.string(),
  args: z.array(guard),
  slots: z.array(z.object({ name: z.string(), role: z.enum(['argument', 'state', 'constant', 'seed']), shape, dtype, source })),
  consts: z.array(z.number()),
  /** The dtype of each lifted constant (absent in artifacts written before number arguments were values). */
  constDtypes: z.array(dtype).optional(),
  seedDraws: nat,
  rootShapes: z.array(shape),
  plan,
  values: z.array(z.tuple([target, ref])),
  grads: z.array(z.tuple([z.string(), ref.nullable()])),
  result: template,
});

const file = z.object({ file: z.string().regex(/^[A-Za-z0-9._-]+$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const MANIFEST = z.object({
  format: z.literal(AOT_FORMAT),
  version: z.number().int(),
  checksum: z.string(),
  graft: z.string(),
  build: z.object({
    compiler: z.string(),
    flags: z.array(z.string()),
    arch: z.string(),
    cpuModel: z.string(),
    cpuFeatures: z.array(z.string()),
  }),
  source: file,
  library: file,
  stateFile: file,
  state: z.array(z.object({ name: z.string(), shape, dtype, role: z.enum(['state', 'constant']) })),
  steps: z.record(z.string(), step),
});

export type Manifest = z.infer<typeof MANIFEST>;
export type StepJSON = z.infer<typeof step>;
export type SourceJSON = z.infer<typeof source>;
export type RefJSON = z.infer<typeof ref>;

/** The manifest's checksum: sha256 of its JSON with the checksum field empty (any corruption shows). */
export function manifestChecksum(m: Omit<Manifest, 'checksum'> & { checksum?: string }): string {
  return sha256Hex(JSON.stringify({ ...m, checksum: '' }));
}
