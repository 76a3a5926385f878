/**
 * The typed wrapper `graft aot` writes beside an artifact (`index.ts`): the saved steps as functions with
 * named, typed arguments and results (shapes and dtypes in their doc comments) and the state's names as a
 * type, printed with the TypeScript compiler API's factory and printer (names come from the manifest, which
 * `graft aot` wrote; any that is not an identifier is quoted as a string literal).
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import type { Manifest } from '../aot/manifest.js';

const ts = createRequire(import.meta.url)('typescript') as typeof TS;
const f = ts.factory;

type StepJSON = Manifest['steps'][string];
type TemplateJSON = StepJSON['result'];

const tensorType = (): TS.TypeNode => f.createTypeReferenceNode(f.createQualifiedName(f.createIdentifier('torch'), 'Tensor'));

function valueType(v: unknown): TS.TypeNode {
  if (typeof v === 'number') return f.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword);
  if (typeof v === 'string') return f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword);
  if (typeof v === 'boolean') return f.createKeywordTypeNode(ts.SyntaxKind.BooleanKeyword);
  return f.createLiteralTypeNode(f.createNull());
}

function resultType(t: TemplateJSON): TS.TypeNode {
  if ('t' in t) return tensorType();
  if ('array' in t) return f.createTupleTypeNode(t.array.map(resultType));
  if ('object' in t) return f.createTypeLiteralNode(t.object.map(([k, e]) => f.createPropertySignature(undefined, f.createStringLiteral(k), undefined, resultType(e))));
  return valueType(t.value);
}

/** Shapes of the result's tensors, for the doc comment. */
function resultShapes(step: StepJSON, t: TemplateJSON, path: string, out: string[]): void {
  if ('t' in t) {
    const r = t.t;
    let desc = 'a tensor';
    if ('out' in r) {
      const slot = step.plan.slots[step.plan.outputs[r.out]!]!;
      desc = `${slot.dtype} [${step.rootShapes[r.out]!.join(', ')}]`;
    }
    out.push(`${path || 'result'}: ${desc}`);
  } else if ('array' in t) t.array.forEach((e, i) => resultShapes(step, e, `${path}[${i}]`, out));
  else if ('object' in t) t.object.forEach(([k, e]) => resultShapes(step, e, `${path}.${k}`, out));
}

const isIdentifier = (s: string): boolean => /^[A-Za-z_$][\w$]*$/.test(s);

function stepSignature(name: string, step: StepJSON): TS.MethodSignature {
  const params = step.args.map((a, i) =>
    f.createParameterDeclaration(undefined, undefined, isIdentifier(a.name) ? a.name : `arg${i}`, undefined, a.kind === 'tensor' ? tensorType() : a.kind === 'number' ? f.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword) : valueType(a.value)),
  );
  const sig = f.createMethodSignature(undefined, name, undefined, undefined, params, resultType(step.result));
  const shapes: string[] = [];
  resultShapes(step, step.result, '', shapes);
  const doc = [
    `*`,
    ` * The saved step '${name}'.`,
    ...step.args.map((a) =>
      a.kind === 'tensor'
        ? ` * @param ${a.name} ${a.dtype} [${a.shape.join(', ')}]`
        : a.kind === 'number'
          ? ` * @param ${a.name} any ${a.integral ? 'integer' : 'fractional'} number (a value of the program)`
          : ` * @param ${a.name} must be ${JSON.stringify(a.value)}`,
    ),
    ` * @returns ${shapes.join('; ') || 'nothing'}`,
    ' ',
  ].join('\n');
  ts.addSyntheticLeadingComment(sig, ts.SyntaxKind.MultiLineCommentTrivia, doc, true);
  return sig;
}

/** The wrapper's TypeScript source. */
export function wrapperSource(m: Manifest): string {
  const imports = [
    f.createImportDeclaration(
      undefined,
      f.createImportClause(false, undefined, f.createNamedImports([f.createImportSpecifier(false, undefined, f.createIdentifier('fileURLToPath'))])),
      f.createStringLiteral('node:url'),
    ),
    f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamespaceImport(f.createIdentifier('torch'))), f.createStringLiteral('graft')),
  ];
  const steps = f.createInterfaceDeclaration(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    'Steps',
    undefined,
    undefined,
    Object.entries(m.steps).map(([k, s]) => stepSignature(k, s)),
  );
  const stateNames = m.state.filter((s) => s.role === 'state');
  const stateName = f.createTypeAliasDeclaration(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    'StateName',
    undefined,
    stateNames.length ? f.createUnionTypeNode(stateNames.map((s) => f.createLiteralTypeNode(f.createStringLiteral(s.name)))) : f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword),
  );
  const readonly = [f.createModifier(ts.SyntaxKind.ReadonlyKeyword)];
  const artifact = f.createInterfaceDeclaration([f.createModifier(ts.SyntaxKind.ExportKeyword)], 'Artifact', undefined, undefined, [
    f.createPropertySignature(readonly, 'steps', undefined, f.createTypeReferenceNode('Steps')),
    f.createPropertySignature(
      readonly,
      'state',
      undefined,
      f.createTypeReferenceNode('Record', [f.createTypeReferenceNode('StateName'), tensorType()]),
    ),
    f.createPropertySignature(readonly, 'manifest', undefined, f.createTypeReferenceNode(f.createQualifiedName(f.createQualifiedName(f.createIdentifier('torch'), 'aot'), 'Manifest'))),
  ]);
  const here = f.createCallExpression(f.createIdentifier('fileURLToPath'), undefined, [
    f.createNewExpression(f.createIdentifier('URL'), undefined, [
      f.createStringLiteral('.'),
      f.createPropertyAccessExpression(f.createMetaProperty(ts.SyntaxKind.ImportKeyword, f.createIdentifier('meta')), 'url'),
    ]),
  ]);
  const loadFn = f.createFunctionDeclaration(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    undefined,
    'load',
    undefined,
    [f.createParameterDeclaration(undefined, undefined, 'dir', undefined, f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword), here)],
    f.createTypeReferenceNode('Artifact'),
    f.createBlock(
      [
        f.createReturnStatement(
          f.createAsExpression(
            f.createAsExpression(
              f.createCallExpression(f.createPropertyAccessExpression(f.createPropertyAccessExpression(f.createIdentifier('torch'), 'aot'), 'load'), undefined, [f.createIdentifier('dir')]),
              f.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword),
            ),
            f.createTypeReferenceNode('Artifact'),
          ),
        ),
      ],
      true,
    ),
  );
  ts.addSyntheticLeadingComment(loadFn, ts.SyntaxKind.MultiLineCommentTrivia, '* Load the artifact (by default, the folder this file is in): no C compiler is needed. ', true);
  const file = ts.createSourceFile('index.ts', '', ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const body = [...imports, steps, stateName, artifact, loadFn].map((n) => printer.printNode(ts.EmitHint.Unspecified, n, file)).join('\n\n');
  return `// Generated by \`graft aot\` from the manifest in this folder: typed access to the saved steps.\n${body}\n`;
}
