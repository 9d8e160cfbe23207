import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a client generating typed code sees: graphql-codegen (typescript + typescript-operations) over the SDL, the
 * README's examples and the dashboard's operations as one set, and TypeScript compiling what it wrote. Anonymous or
 * repeated operation names, or an operation the schema does not have, fail the generation.
 */
const root = path.resolve(import.meta.dirname, '../..');
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'concord-codegen-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('GraphQL code generation', () => {
  it('generates types for the README and dashboard operations, and they type-check', { timeout: 120_000 }, async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(examples.length).toBeGreaterThan(1);
    const readmeDocuments = path.join(folder, 'readme.graphql');
    await writeFile(readmeDocuments, examples.join('\n'));
    const output = path.join(folder, 'operations.ts');
    const [file] = await generate(
      {
        cwd: root,
        silent: true,
        errorsOnly: true,
        schema: path.join(root, 'schema/schema.graphql'),
        documents: [readmeDocuments, 'web/src/**/*.ts', 'web/src/**/*.tsx'],
        generates: { [output]: { plugins: ['typescript-operations'] } },
      },
      false,
    );
    expect(file?.content).toBeDefined();
    // Both sources made it in: a README example and dashboard operations (with their fragments).
    for (const name of ['OverviewQuery', 'FollowRunSubscription', 'DashboardRunQuery', 'DashboardReviewResultMutation', 'DashboardRunFieldsFragment']) {
      expect(file!.content).toContain(`export type ${name} =`);
    }
    await writeFile(output, file!.content);
    const program = ts.createProgram([output], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
