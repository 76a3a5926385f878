/**
 * TypeScript to JavaScript for one module, with the TypeScript compiler API (no type checking: that is
 * `tsc`'s job; this is what lets Node 20 run a `.ts` script). Target ES2022, so newer syntax such as `using`
 * declarations is lowered to code Node 20 runs; ES modules are kept; the source map is inlined so stack traces
 * point at the `.ts` lines.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

// Loaded with require: an ESM import of the 9 MB CommonJS file makes Node scan it for named exports (~1 s).
const ts = createRequire(import.meta.url)('typescript') as typeof TS;

const OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  inlineSourceMap: true,
  inlineSources: true,
  esModuleInterop: true,
  // Each file is transpiled alone: an import used only as a type is dropped.
  isolatedModules: true,
};

/** A syntax error in a script, located as `file:line:col`. */
export class TranspileError extends SyntaxError {
  override name = 'TranspileError';
}

/** Transpile the TypeScript `source` of `fileName` (an absolute path) to an ES module with an inline source map. */
export function transpile(source: string, fileName: string): string {
  const out = ts.transpileModule(source, { fileName, compilerOptions: OPTIONS, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new TranspileError(errors.map(describe).join('\n'));
  return out.outputText;
}

function describe(d: TS.Diagnostic): string {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${msg}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}:${line + 1}:${character + 1} - error TS${d.code}: ${msg}`;
}
