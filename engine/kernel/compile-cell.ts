// Compiles one TypeScript cell for the kernel's shared scope: types are erased by the real TypeScript
// compiler, top-level declarations become assignments to kernel-wide names (so later cells see them
// and re-running a cell replaces them), the body runs in an async function (top-level await), and a
// source map leads errors back to the cell's own line and column. Kernel process.
import ts from 'typescript';

/** Names the kernel itself lives by: a cell that declares one would break the kernel. */
const RESERVED = new Set([
  'lab', 'tf', 'console', 'process', 'require', 'module', 'exports', 'globalThis', 'global', 'Buffer',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
  'queueMicrotask', 'Promise', 'Object', 'Array', 'Error', 'JSON', 'Math', 'undefined', 'NaN', 'Infinity',
]);

export interface CompiledCell {
  /** JavaScript for vm.runInThisContext: evaluates to a promise of the last expression's value. */
  readonly code: string;
  /** Generated (line, column) → cell (line, column), both 1-based. */
  readonly mapPosition: (line: number, column: number) => { line: number; column: number } | null;
}

/** A syntax error or a forbidden declaration, at a cell position. */
export class CellCompileError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'CellCompileError';
  }
}

function position(sf: ts.SourceFile, pos: number): { line: number; column: number } {
  const lc = sf.getLineAndCharacterOfPosition(pos);
  return { line: lc.line + 1, column: lc.character + 1 };
}

/** The identifiers a binding (a name or a destructuring pattern) declares. */
function boundNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNames(el.name, out);
}

/** A destructuring pattern turned into the equivalent assignment target. */
function patternToTarget(f: ts.NodeFactory, name: ts.BindingName): ts.Expression {
  if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
  if (ts.isObjectBindingPattern(name)) {
    return f.createObjectLiteralExpression(
      name.elements.map((el) => {
        const target = patternToTarget(f, el.name);
        const withDefault = el.initializer ? f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, el.initializer) : target;
        if (el.dotDotDotToken) return f.createSpreadAssignment(target);
        if (!el.propertyName && ts.isIdentifier(el.name)) return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
        return f.createPropertyAssignment(el.propertyName ?? f.createIdentifier((el.name as ts.Identifier).text), withDefault);
      }),
    );
  }
  return f.createArrayLiteralExpression(
    name.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
      const target = patternToTarget(f, el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, el.initializer) : target;
    }),
  );
}

function withoutExport(mods: readonly ts.ModifierLike[] | undefined): ts.ModifierLike[] {
  return (mods ?? []).filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
}

/** `require('m')` for an import, the default export taken as a module's `default` or the module itself. */
function requireCall(f: ts.NodeFactory, spec: ts.Expression): ts.Expression {
  return f.createCallExpression(f.createIdentifier('require'), undefined, [spec]);
}

function hoistTransformer(names: Set<string>, sf: ts.SourceFile): ts.TransformerFactory<ts.SourceFile> {
  return (ctx) => (file) => {
    const f = ctx.factory;
    const declare = (name: string, node: ts.Node) => {
      if (RESERVED.has(name)) {
        const p = position(sf, node.getStart(sf));
        throw new CellCompileError(`"${name}" is a name the kernel uses; choose another`, p.line, p.column);
      }
      names.add(name);
    };
    // A destructuring assignment statement must be parenthesised as a whole: `({ a } = v);`.
    const assign = (target: ts.Expression, value: ts.Expression, original: ts.Node) => {
      const expr = f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, value);
      const wrapped = ts.isObjectLiteralExpression(target) ? f.createParenthesizedExpression(expr) : expr;
      return ts.setTextRange(f.createExpressionStatement(wrapped), original);
    };
    const hoisted: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    const statements = file.statements;
    statements.forEach((stmt, index) => {
      const last = index === statements.length - 1;
      if (ts.isVariableStatement(stmt)) {
        for (const decl of stmt.declarationList.declarations) {
          const declared: string[] = [];
          boundNames(decl.name, declared);
          declared.forEach((n) => declare(n, decl));
          const value = decl.initializer ?? f.createIdentifier('undefined');
          const target = patternToTarget(f, decl.name);
          body.push(assign(target, value, decl));
        }
      } else if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
        declare(stmt.name.text, stmt.name);
        const fn = f.createFunctionExpression(
          withoutExport(stmt.modifiers) as ts.Modifier[],
          stmt.asteriskToken,
          stmt.name,
          stmt.typeParameters,
          stmt.parameters,
          stmt.type,
          stmt.body,
        );
        // Functions are hoisted as in a script: callable from anywhere in the cell.
        hoisted.push(assign(f.createIdentifier(stmt.name.text), fn, stmt));
      } else if (ts.isClassDeclaration(stmt) && stmt.name) {
        declare(stmt.name.text, stmt.name);
        const cls = f.createClassExpression(withoutExport(stmt.modifiers), stmt.name, stmt.typeParameters, stmt.heritageClauses, stmt.members);
        body.push(assign(f.createIdentifier(stmt.name.text), cls, stmt));
      } else if (ts.isImportDeclaration(stmt)) {
        const clause = stmt.importClause;
        if (!clause) body.push(ts.setTextRange(f.createExpressionStatement(requireCall(f, stmt.moduleSpecifier)), stmt));
        else if (!clause.isTypeOnly) {
          if (clause.name) {
            declare(clause.name.text, clause.name);
            const mod = requireCall(f, stmt.moduleSpecifier);
            body.push(assign(f.createIdentifier(clause.name.text), f.createBinaryExpression(f.createPropertyAccessExpression(mod, 'default'), ts.SyntaxKind.QuestionQuestionToken, requireCall(f, stmt.moduleSpecifier)), stmt));
          }
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) {
            declare(bindings.name.text, bindings.name);
            body.push(assign(f.createIdentifier(bindings.name.text), requireCall(f, stmt.moduleSpecifier), stmt));
          } else if (bindings) {
            for (const el of bindings.elements) {
              if (el.isTypeOnly) continue;
              declare(el.name.text, el.name);
              const imported = (el.propertyName ?? el.name) as ts.Identifier;
              body.push(assign(f.createIdentifier(el.name.text), f.createPropertyAccessExpression(requireCall(f, stmt.moduleSpecifier), imported.text), stmt));
            }
          }
        }
      } else if (ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) {
        if (ts.isExportAssignment(stmt)) body.push(ts.setTextRange(f.createExpressionStatement(stmt.expression), stmt));
      } else if (last && ts.isExpressionStatement(stmt)) {
        // The last expression's value is the cell's result, as in Jupyter.
        body.push(ts.setTextRange(f.createReturnStatement(stmt.expression), stmt));
      } else {
        body.push(stmt);
      }
    });
    return f.updateSourceFile(file, [...hoisted, ...body]);
  };
}

/** Decodes a source map's mappings into per-generated-line segments. */
function decodeMappings(mappings: string): { genCol: number; srcLine: number; srcCol: number }[][] {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lines: { genCol: number; srcLine: number; srcCol: number }[][] = [];
  let srcLine = 0;
  let srcCol = 0;
  for (const line of mappings.split(';')) {
    const segs: { genCol: number; srcLine: number; srcCol: number }[] = [];
    let genCol = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = chars.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += values[0]!;
      if (values.length >= 4) {
        srcLine += values[2]!;
        srcCol += values[3]!;
        segs.push({ genCol, srcLine, srcCol });
      }
    }
    lines.push(segs);
  }
  return lines;
}

export function compileCell(source: string, fileName: string): CompiledCell {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const syntax = (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics;
  if (syntax.length) {
    const d = syntax[0]!;
    const p = position(sf, d.start);
    throw new CellCompileError(ts.flattenDiagnosticMessageText(d.messageText, '\n'), p.line, p.column);
  }
  const names = new Set<string>();
  const out = ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Preserve,
      sourceMap: true,
      inlineSources: false,
      removeComments: false,
      verbatimModuleSyntax: false,
    },
    transformers: { before: [hoistTransformer(names, sf)] },
  });
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, '');
  const map = decodeMappings((JSON.parse(out.sourceMapText!) as { mappings: string }).mappings);
  // Line 1 declares the cell's names as kernel-wide variables; the cell starts on line 2.
  const declarations = names.size ? `var ${[...names].join(', ')};` : '';
  const code = `${declarations}(async () => {\n${js}\n})()`;
  return {
    code,
    mapPosition(line, column) {
      const segs = map[line - 2];
      if (!segs || segs.length === 0) return null;
      let best = segs[0]!;
      for (const s of segs) if (s.genCol <= column - 1) best = s;
      return { line: best.srcLine + 1, column: best.srcCol + 1 };
    },
  };
}
