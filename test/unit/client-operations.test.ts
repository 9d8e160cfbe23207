import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  isNonNullType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The GraphQL the dashboard (web/src) and the CLI (src/cli) send, checked against schema/schema.graphql: every
 * document they write is validated (fields, arguments, variables, fragments), and their hand-written copies of the
 * shapes they read (the run, its results, the config summary) have exactly the fields their operations select,
 * nullable where the schema's are. A field renamed in the schema, in an operation or in a copy fails here, not in
 * front of a user.
 *
 * A document is a template literal marked with the GraphQL comment (as graphql-codegen reads them); its `${…}`
 * interpolations are resolved to the marked constants of the same file (the fragments it appends). A template
 * that reads like a GraphQL document without the mark fails the test, so none is left out.
 */
const root = path.resolve(import.meta.dirname, '../..');
const schema = buildSchema(readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'));
const CLIENTS = ['web/src', 'src/cli'];
const LOOKS_LIKE_GRAPHQL = /^\s*(query|mutation|subscription|fragment)\b[^`]*\{/;

interface Found {
  file: string;
  line: number;
  text: string;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => path.join(folder, file))
    .sort();
}

/** Whether the comment just before the node (in the trivia between the previous token and it) is the GraphQL mark. */
function marked(source: ts.SourceFile, node: ts.Node): boolean {
  return /\/\*\s*GraphQL\s*\*\/\s*$/.test(source.text.slice(node.getFullStart(), node.getStart(source)));
}

/** The marked documents of a file, interpolations resolved, and the GraphQL-looking templates left unmarked. */
function documentsOf(file: string): { documents: Found[]; unmarked: Found[] } {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const constants = new Map<string, ts.TemplateLiteral>();
  const templates: ts.TemplateLiteral[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) templates.push(node);
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isTemplateLiteral(node.initializer)) {
      constants.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const textOf = (template: ts.TemplateLiteral, seen: ReadonlySet<string> = new Set()): string => {
    if (ts.isNoSubstitutionTemplateLiteral(template)) return template.text;
    return (
      template.head.text +
      template.templateSpans
        .map((span) => {
          const name = ts.isIdentifier(span.expression) ? span.expression.text : undefined;
          const constant = name && !seen.has(name) ? constants.get(name) : undefined;
          if (!constant || !marked(source, constant))
            throw new Error(`${file}: \${${span.expression.getText()}} is not a GraphQL constant of this file`);
          return textOf(constant, new Set([...seen, name!])) + span.literal.text;
        })
        .join('')
    );
  };
  const documents: Found[] = [];
  const unmarked: Found[] = [];
  for (const template of templates) {
    const line = source.getLineAndCharacterOfPosition(template.getStart()).line + 1;
    if (marked(source, template)) documents.push({ file, line, text: textOf(template) });
    else if (LOOKS_LIKE_GRAPHQL.test(template.getText().slice(1))) unmarked.push({ file, line, text: template.getText() });
  }
  return { documents, unmarked };
}

const found = CLIENTS.flatMap(sourceFiles).map(documentsOf);
const documents = found.flatMap((file) => file.documents);
/** Documents that hold an operation (fragment constants are checked inside the operations that append them). */
const operations = documents
  .map((document) => ({ ...document, parsed: parse(document.text) }))
  .filter(({ parsed }) => parsed.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION));

/** An operation or fragment by name, or the one operation of a file when it is anonymous (the CLI's). */
function definition(where: { name: string } | { file: string }): {
  document: DocumentNode;
  node: OperationDefinitionNode | FragmentDefinitionNode;
} {
  for (const operation of operations) {
    if ('file' in where && operation.file !== where.file) continue;
    for (const node of operation.parsed.definitions) {
      if (node.kind !== Kind.OPERATION_DEFINITION && node.kind !== Kind.FRAGMENT_DEFINITION) continue;
      if ('name' in where ? node.name?.value === where.name : node.kind === Kind.OPERATION_DEFINITION)
        return { document: operation.parsed, node };
    }
  }
  throw new Error(`no GraphQL definition ${JSON.stringify(where)}`);
}

/** The field names selected at the top of a selection (inline fragments and spreads of the same document included). */
function selectedFields(document: DocumentNode, selection: SelectionSetNode): string[] {
  return selection.selections.flatMap((node): string[] => {
    if (node.kind === Kind.FIELD) return [node.alias?.value ?? node.name.value];
    if (node.kind === Kind.INLINE_FRAGMENT) return selectedFields(document, node.selectionSet);
    const fragment = document.definitions.find(
      (item): item is FragmentDefinitionNode => item.kind === Kind.FRAGMENT_DEFINITION && item.name.value === node.name.value,
    );
    return fragment ? selectedFields(document, fragment.selectionSet) : [];
  });
}

/** The selection under a path of fields of an operation or fragment. */
function selectionAt(selection: SelectionSetNode, fieldPath: readonly string[]): SelectionSetNode {
  return fieldPath.reduce((set, name) => {
    const field = set.selections.find((node) => node.kind === Kind.FIELD && node.name.value === name);
    if (!field || field.kind !== Kind.FIELD || !field.selectionSet) throw new Error(`nothing selected under ${fieldPath.join('.')}`);
    return field.selectionSet;
  }, selection);
}

/** The properties of an interface declared in a file, and whether each may be null (unknown may). */
function interfaceProperties(file: string, name: string): Map<string, boolean> {
  const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === name,
  );
  if (!declaration) throw new Error(`${file} declares no interface ${name}`);
  return new Map(
    declaration.members.filter(ts.isPropertySignature).map((member) => {
      const type = member.type?.getText(source) ?? 'unknown';
      return [member.name.getText(source), /\bnull\b/.test(type) || type === 'unknown'];
    }),
  );
}

describe('GraphQL operations of the dashboard and the CLI', () => {
  it('finds the documents of both clients, all marked', () => {
    expect(found.flatMap((file) => file.unmarked)).toEqual([]);
    for (const client of CLIENTS) expect(operations.some((operation) => operation.file.startsWith(client))).toBe(true);
  });

  const label = (operation: (typeof operations)[number]) => {
    const names = operation.parsed.definitions.flatMap((node) =>
      node.kind === Kind.OPERATION_DEFINITION ? [node.name?.value ?? `anonymous ${node.operation}`] : [],
    );
    return `${operation.file} ${names.join(', ')}`;
  };
  it.each(operations.map((operation) => [label(operation), operation] as const))(
    '%s is valid against schema/schema.graphql',
    (_label, operation) => {
      expect(validate(schema, operation.parsed).map((error) => error.message)).toEqual([]);
    },
  );

  // Each hand-written copy of a GraphQL shape: the interface, its file, the schema type it copies, and the selection it types.
  it.each([
    ['Run', 'web/src/api/types.ts', 'Run', { name: 'DashboardRunFields' }, []],
    ['RunResult', 'web/src/api/types.ts', 'RunResult', { name: 'DashboardResultFields' }, []],
    ['FieldEvidence', 'web/src/api/types.ts', 'FieldEvidence', { name: 'DashboardResultFields' }, ['evidence']],
    ['MatchingConfigSummary', 'web/src/api/types.ts', 'MatchingConfig', { name: 'DashboardConfigs' }, ['matchingConfigs', 'edges', 'node']],
    ['RunView', 'src/cli/progress.ts', 'Run', { file: 'src/cli/run.ts' }, ['runUpdated']],
  ] as const)(
    '%s (%s) has the fields its operation selects, nullable where the schema says so',
    (name, file, typeName, where, fieldPath) => {
      const { document, node } = definition(where);
      const selected = new Set(selectedFields(document, selectionAt(node.selectionSet, fieldPath)));
      const properties = interfaceProperties(file, name);
      expect([...properties.keys()].sort()).toEqual([...selected].sort());
      const fields = (schema.getType(typeName) as GraphQLObjectType).getFields();
      const nullability = [...properties].map(([property, nullable]) => [property, nullable ? 'nullable' : 'non-null']);
      expect(nullability).toEqual(
        [...properties.keys()].map((property) => [property, isNonNullType(fields[property]!.type) ? 'non-null' : 'nullable']),
      );
    },
  );
});
