import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { nn, optim, Tensor } from '../../src/index.js';
import { manifestChecksum } from '../../src/aot/manifest.js';
import { runNode } from '../cli/graft.js';
import { missingFeatures } from '../../src/aot/cpu.js';

const DIST = pathToFileURL(fileURLToPath(new URL('../../dist/index.js', import.meta.url))).href;

function batch(i: number): [Tensor, Tensor] {
  torch.manualSeed(2000 + i);
  return [torch.randn(6, 8).realize(), torch.randint(0, 4, [6]).realize()];
}

let dir: string;
let continued: number[];
let batches: [Tensor, Tensor][];
let stateAtSave: Record<string, number[]>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'graft-aot-'));
  torch.manualSeed(7);
  const net = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
  const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
  const train = torch.compile((x: Tensor, y: Tensor) => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(net.call(x) as Tensor, y);
    loss.backward();
    opt.step();
    return loss;
  });
  batches = Array.from({ length: 6 }, (_, i) => batch(i));
  for (let i = 0; i < 3; i++) train(...batches[i]!);
  torch.aot.save({ train }, dir, { names: { model: net, opt } });
  stateAtSave = Object.fromEntries(net.namedParameters().map(([n, p]) => [n, Array.from(p.dataSync() as Float32Array)]));
  continued = [];
  for (let i = 3; i < 6; i++) continued.push(train(...batches[i]!).item());
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the artifact to damage. */
function copyArtifact(): string {
  const d = mkdtempSync(join(tmpdir(), 'graft-aot-bad-'));
  for (const f of ['manifest.json', 'kernels.c', 'kernels.so', 'state.safetensors']) copyFileSync(join(dir, f), join(d, f));
  return d;
}

function rewriteManifest(d: string, change: (m: Record<string, unknown>) => void): void {
  const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  change(m);
  m.checksum = manifestChecksum(m as never);
  writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
}

const runScript = (script: string, env: Record<string, string>): ReturnType<typeof runNode> => runNode(['--input-type=module', '-e', script], { env });

describe('torch.aot: save, load, run', () => {
  it('writes the manifest, C source, shared object and state; names state from modules and optimizers', () => {
    const m = torch.aot.load(dir).manifest;
    expect(m.version).toBe(torch.aot.AOT_VERSION);
    expect(m.state.map((s) => s.name)).toEqual(
      expect.arrayContaining(['model.0.weight', 'model.2.bias', 'opt.group0.lr', 'opt.state.model.0.weight.expAvg', 'opt.state.model.0.weight.step']),
    );
    const step = m.steps.train!;
    expect(step.args.map((a) => a.name)).toEqual(['x', 'y']);
    expect(step.slots.filter((s) => s.role === 'argument').map((s) => s.name).sort()).toEqual(['x', 'y']);
    expect(readFileSync(join(dir, 'kernels.c'), 'utf8')).toContain(step.plan.functions[0]!.name);
  });

  it('loaded in this process, continues training exactly as the compiled step did', () => {
    const art = torch.aot.load(dir);
    expect(Array.from(art.state['model.0.weight']!.dataSync() as Float32Array)).toEqual(stateAtSave['0.weight']);
    const losses = [3, 4, 5].map((i) => (art.steps.train!(...batches[i]!) as Tensor).item());
    expect(losses).toEqual(continued);
  });

  it('loaded and run in a child process with no C compiler (CC points at nothing, PATH is empty)', async () => {
    const data = [3, 4, 5].map((i) => [Array.from(batches[i]![0].dataSync() as Float32Array), Array.from(batches[i]![1].dataSync() as BigInt64Array, Number)]);
    const script = `
      import * as torch from ${JSON.stringify(DIST)};
      const art = torch.aot.load(${JSON.stringify(dir)});
      const data = ${JSON.stringify(data)};
      const out = data.map(([x, y]) => art.steps.train(torch.tensor(Float32Array.from(x)).reshape(6, 8), torch.tensor(y.map(BigInt))).item());
      console.log(JSON.stringify(out));`;
    const env = { PATH: '', CC: '/nonexistent/cc', HOME: process.env.HOME ?? '/tmp', GRAFT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graft-empty-cache-')) };
    const [a, b] = await Promise.all([runScript(script, env), runScript(script, env)]);
    for (const r of [a, b]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual(continued);
    }
  }, 120_000);

  it('a call with the wrong shape or dtype is a typed error naming the argument; nothing changes', () => {
    const art = torch.aot.load(dir);
    const before = Array.from(art.state['model.0.weight']!.dataSync() as Float32Array);
    const [x, y] = batches[0]!;
    expect(() => art.steps.train!(torch.zeros(5, 8), y)).toThrow(/argument 'x' must have shape \[6, 8\], got \[5, 8\]/);
    expect(() => art.steps.train!(x.double(), y)).toThrow(torch.DTypeError);
    expect(() => art.steps.train!(x)).toThrow(torch.ArgumentError);
    expect(Array.from(art.state['model.0.weight']!.dataSync() as Float32Array)).toEqual(before);
  });
});

describe('torch.aot: number arguments taken as values', () => {
  it('a saved step with a learning rate argument runs with any rate; a structural or integer value is refused', () => {
    const d = mkdtempSync(join(tmpdir(), 'graft-aot-num-'));
    try {
      const p = torch.tensor([1, -2, 3, 0.5]);
      const g = torch.tensor([0.3, 0.1, -0.2, 0.7]);
      const sgd = torch.compile((lr: number) => {
        p.sub_(g.mul(lr));
      });
      sgd(0.1);
      sgd(0.2);
      expect(sgd.stats.captures).toBe(2);
      torch.aot.save({ sgd }, d, { names: { p, g } });
      const m = torch.aot.load(d).manifest;
      expect(m.steps.sgd!.args[0]).toMatchObject({ kind: 'number', name: 'lr', integral: false });
      const art = torch.aot.load(d);
      const start = art.state.p!.tolist() as number[];
      art.steps.sgd!(0.375);
      const gs = [0.3, 0.1, -0.2, 0.7];
      expect(art.state.p!.tolist()).toEqual(start.map((v, i) => Math.fround(v - Math.fround(Math.fround(gs[i]!) * 0.375))));
      expect(() => art.steps.sgd!(1)).toThrow(torch.ArgumentError);
      expect(() => art.steps.sgd!(0.5)).toThrow(/structure/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('torch.aot.load: a damaged artifact is a typed error before anything runs', () => {
  const cases: [string, (d: string) => void, RegExp, new (...args: never[]) => Error][] = [
    ['a truncated manifest', (d) => writeFileSync(join(d, 'manifest.json'), readFileSync(join(d, 'manifest.json')).subarray(0, 300)), /not JSON/, torch.FormatError],
    [
      'a manifest changed by one digit',
      (d) => writeFileSync(join(d, 'manifest.json'), readFileSync(join(d, 'manifest.json'), 'utf8').replace('"numel": 48', '"numel": 4')),
      /checksum mismatch/,
      torch.FormatError,
    ],
    ['a manifest of another version', (d) => rewriteManifest(d, (m) => (m.version = 2)), /format version 2; this graft reads version 1/, torch.FormatError],
    ['a manifest missing a field', (d) => rewriteManifest(d, (m) => delete m.library), /library/, torch.FormatError],
    [
      'a slot larger than its kernel allows',
      (d) =>
        rewriteManifest(d, (m) => {
          const step = (m.steps as Record<string, { plan: { kernels: { minBytes: number[] }[] } }>).train!;
          step.plan.kernels[0]!.minBytes[0] = 1 << 30;
        }),
      /needs 1073741824 bytes/,
      torch.FormatError,
    ],
    [
      'a shared object with one byte changed',
      (d) => {
        const b = readFileSync(join(d, 'kernels.so'));
        b[b.length >> 1] ^= 0xff;
        writeFileSync(join(d, 'kernels.so'), b);
      },
      /kernels\.so does not match the hash/,
      torch.FormatError,
    ],
    ['a truncated state file', (d) => writeFileSync(join(d, 'state.safetensors'), readFileSync(join(d, 'state.safetensors')).subarray(0, 100)), /state\.safetensors does not match/, torch.FormatError],
    ['a missing shared object', (d) => rmSync(join(d, 'kernels.so')), /cannot read the kernels\.so/, torch.FileError],
  ];
  for (const [what, damage, message, type] of cases) {
    it(what, () => {
      const d = copyArtifact();
      try {
        damage(d);
        let err: unknown;
        try {
          torch.aot.load(d);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(type);
        expect((err as Error).message).toMatch(message);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    });
  }

  it('kernels built for CPU features this machine lacks: refused without a compiler, rebuilt with one', async () => {
    expect(missingFeatures({ arch: 'x64', cpuFeatures: ['avx2', 'avx512_fp16'] }, { arch: 'x64', model: '', features: ['avx2'] })).toEqual(['avx512_fp16']);
    expect(missingFeatures({ arch: 'arm64', cpuFeatures: [] }, { arch: 'x64', model: '', features: [] })[0]).toMatch(/architecture arm64/);
    const d = copyArtifact();
    try {
      rewriteManifest(d, (m) => {
        const b = m.build as { cpuFeatures: string[] };
        b.cpuFeatures = [...b.cpuFeatures, 'imaginary_isa'];
      });
      const script = `
        import * as torch from ${JSON.stringify(DIST)};
        try { torch.aot.load(${JSON.stringify(d)}); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
      const none = await runScript(script, { PATH: '', CC: '/nonexistent/cc', HOME: process.env.HOME ?? '/tmp' });
      expect(none.stdout).toMatch(/DeviceError: .*CPU features this machine lacks: imaginary_isa.*no C compiler/);
      const art = torch.aot.load(d);
      expect(art.steps.train).toBeTypeOf('function');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});
