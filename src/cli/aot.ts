/**
 * `graft aot <script.ts> --out DIR [args...]`: run a script that exports compiled steps (torch.compile, captured
 * by calling them or compiled from `example` specs), save them ahead of time into DIR (torch.aot.save), and
 * write DIR/index.ts, a typed wrapper to load them. An exported `names` object (`{ model: net, opt }`) names
 * the state after the modules' parameters and the optimizers' state.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { load, save } from '../aot/index.js';
import { variantsOf } from '../tensor/compile.js';
import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { splitArgs } from './capture.js';
import { UsageError, type Command } from './command.js';
import { registerTypeScriptLoader } from './run.js';
import { wrapperSource } from './aot-wrapper.js';

export const aotCommand: Command = {
  name: 'aot',
  args: '<script.ts> --out <dir> [args...]',
  summary: 'save the compiled steps a script exports ahead of time (runs later with no C compiler)',
  usage: [
    'Usage: graft aot <script.ts> --out <dir> [args...]',
    '',
    'Runs the script as `graft run` does, then saves every compiled step it exports (torch.compile(fn), called',
    'at least once or compiled from { example: [torch.spec(...)] }) into <dir>: manifest.json, kernels.c,',
    'kernels.so and state.safetensors (see torch.aot.save), and writes <dir>/index.ts, a typed wrapper:',
    "`import { load } from './<dir>/index.js'; const art = load(); art.steps.train(x, y)`.",
    'An exported `names` object ({ model: net, opt }) names the state after modules and optimizers.',
  ].join('\n'),
  async run(argv) {
    const { options, script, args } = splitArgs('aot', argv, ['--out'], []);
    const out = options.get('--out');
    if (out === undefined) throw new UsageError(`graft aot: --out <dir> is required\n\n${aotCommand.usage}`);
    const path = resolvePath(script);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`graft aot: cannot find script '${script}'`);
    registerTypeScriptLoader();
    process.argv = [process.argv[0]!, path, ...args];
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const steps: Record<string, (...a: never[]) => unknown> = {};
    for (const [k, v] of Object.entries(mod)) if (variantsOf(v) !== null) steps[k === 'default' ? 'step' : k] = v as (...a: never[]) => unknown;
    if (Object.keys(steps).length === 0) {
      throw new UsageError(`graft aot: ${script} exports no compiled step; export one: \`export const train = torch.compile(step, { example: [...] })\``);
    }
    const names: Record<string, Module | Optimizer> = {};
    const given = mod.names;
    if (typeof given === 'object' && given !== null) {
      for (const [k, v] of Object.entries(given)) if (v instanceof Module || v instanceof Optimizer) names[k] = v;
    }
    const dir = resolvePath(out);
    save(steps, dir, { names });
    const manifest = load(dir).manifest;
    writeFileSync(resolvePath(dir, 'index.ts'), wrapperSource(manifest));
    process.stdout.write(`graft aot: saved ${Object.keys(steps).join(', ')} to ${dir} (${manifest.state.length} state tensors; typed wrapper: ${resolvePath(dir, 'index.ts')})\n`);
    return 0;
  },
};
