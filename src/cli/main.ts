/**
 * The `graft` command line: `graft <command> [args...]`. Commands are a table (run, ir, inspect, aot);
 * bin/graft.js calls `main`.
 */
import { readFileSync } from 'node:fs';
import { UsageError, type Command } from './command.js';
import { aotCommand } from './aot.js';
import { inspectCommand } from './inspect.js';
import { irCommand } from './ir.js';
import { runCommand } from './run.js';

export const COMMANDS: readonly Command[] = [runCommand, irCommand, inspectCommand, aotCommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args}`.length));
  return [
    "graft: PyTorch's way of working for TypeScript on Node.js, built as a lazy graph compiler.",
    '',
    'Usage: graft <command> [args...]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(width)}   ${c.summary}`),
    '',
    'Options:',
    '  -h, --help       show this help (graft <command> --help: help on a command)',
    '  -v, --version    print the version',
  ].join('\n');
}

/**
 * Run the command line `argv` (without node and the bin path). Returns an exit code for graft's own
 * outcomes, or undefined when a command leaves the exit code to the program it ran.
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      process.stdout.write((topic ? topic.usage : helpText()) + '\n');
      return name === undefined ? 2 : 0;
    }
    if (name === '-v' || name === '--version') {
      process.stdout.write(version() + '\n');
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`graft: unknown command '${name}'\n\n${helpText()}`);
    if (rest[0] === '-h' || rest[0] === '--help') {
      process.stdout.write(cmd.usage + '\n');
      return 0;
    }
    const code = await cmd.run(rest);
    return code ?? undefined;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(e.message + '\n');
      return 2;
    }
    throw e;
  }
}
