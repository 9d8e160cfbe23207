/**
 * The layering the code keeps: no circular imports between the files of src/matching, nor
 * between the files of one module (src/modules/<domain>), type-only imports included (a type cycle still ties the
 * files together: neither can be read, moved or tested without the other); and the domain (src/modules,
 * src/matching) never imports the transport (src/http). Imports are read with the TypeScript parser and relative
 * specifiers resolved the way the Bundler resolution of tsconfig.json does for this tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/process';

const SRC = path.join(projectRoot, 'src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every module specifier a file names: imports and re-exports (type-only too), `import()` calls and import types. */
function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names (`./x` → x.ts or x/index.ts; `./x.js` → x.ts), or undefined for packages. */
function resolve(from: string, specifier: string, exists: (file: string) => boolean): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')];
  return candidates.find((candidate) => /\.tsx?$/.test(candidate) && exists(candidate));
}

type Graph = Map<string, string[]>;

/** The import graph of these files (source text by path), each file's edges kept to files among them. */
function importGraph(sources: ReadonlyMap<string, string>): Graph {
  const graph: Graph = new Map();
  for (const [file, text] of sources) {
    const targets = specifiersOf(file, text).map((specifier) => resolve(file, specifier, (candidate) => sources.has(candidate)));
    graph.set(file, [...new Set(targets.filter((target): target is string => target !== undefined))]);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components of two or more files, or of one file importing itself. */
function cyclesOf(graph: Graph): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (file: string): void => {
    order.set(file, order.size);
    low.set(file, order.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!order.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, order.get(target)!));
      }
    }
    if (low.get(file) !== order.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!order.has(file)) connect(file);
  return cycles;
}

function sourcesUnder(directory: string): Map<string, string> {
  return new Map(sourceFiles(directory).map((file) => [file, readFileSync(file, 'utf8')]));
}

const relative = (files: string[]) => files.map((file) => path.relative(projectRoot, file));

describe('the import graph', () => {
  it('finds cycles made of type-only imports, re-exports and import() (so the checks below can fail)', () => {
    const sources = new Map([
      ['/x/a.ts', "import type { B } from './b';\nexport type A = { b: B };"],
      ['/x/b.ts', "export type { C as B } from './c/index';"],
      ['/x/c/index.ts', "export type C = import('../a').A;"],
      ['/x/d.ts', "export * as e from './e.js';"],
      ['/x/e.ts', "export const e = () => import('./d');"],
      ['/x/f.ts', "import { z } from 'zod';\nimport type { A } from './a';"],
    ]);
    expect(cyclesOf(importGraph(sources))).toEqual([
      ['/x/a.ts', '/x/b.ts', '/x/c/index.ts'],
      ['/x/d.ts', '/x/e.ts'],
    ]);
  });

  it('has no circular imports between the files of src/matching', () => {
    expect(cyclesOf(importGraph(sourcesUnder(path.join(SRC, 'matching')))).map(relative)).toEqual([]);
  });

  const domains = readdirSync(path.join(SRC, 'modules')).filter((name) => statSync(path.join(SRC, 'modules', name)).isDirectory());
  it.each(domains)('has no circular imports between the files of src/modules/%s', (domain) => {
    expect(cyclesOf(importGraph(sourcesUnder(path.join(SRC, 'modules', domain)))).map(relative)).toEqual([]);
  });

  it('never imports src/http from src/modules or src/matching', () => {
    const http = path.join(SRC, 'http') + path.sep;
    const reachingUp = ['modules', 'matching'].flatMap((folder) =>
      sourceFiles(path.join(SRC, folder)).flatMap((file) =>
        specifiersOf(file, readFileSync(file, 'utf8'))
          .map((specifier) => resolve(file, specifier, existsSync))
          .filter((target) => target?.startsWith(http))
          .map((target) => `${path.relative(projectRoot, file)} → ${path.relative(projectRoot, target!)}`),
      ),
    );
    expect(reachingUp).toEqual([]);
  });

  it('keeps src/worker/tasks.ts, which the modules import to queue jobs, free of imports from src (the worker imports the modules)', () => {
    const tasks = path.join(SRC, 'worker', 'tasks.ts');
    const internal = specifiersOf(tasks, readFileSync(tasks, 'utf8')).filter((specifier) => specifier.startsWith('.'));
    expect(internal).toEqual([]);
  });
});
