import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docPages, fencedBlocks } from '../support/docs';

/**
 * What a client generating typed code sees: graphql-codegen (typescript + typescript-operations) over the SDL, the
 * examples of the README and docs/ and the dashboard's operations as one set, and TypeScript compiling what it wrote. Anonymous or
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
  it('generates types for the docs and dashboard operations, and they type-check', { timeout: 120_000 }, async () => {
    const examples = docPages().flatMap((page) => fencedBlocks(page.text, 'graphql'));
    expect(examples.length).toBeGreaterThan(1);
    const docsDocuments = path.join(folder, 'docs.graphql');
    await writeFile(docsDocuments, examples.join('\n'));
    const output = path.join(folder, 'operations.ts');
    const [file] = await generate(
      {
        cwd: root,
        silent: true,
        errorsOnly: true,
        schema: path.join(root, 'schema/schema.graphql'),
        documents: [docsDocuments, 'web/src/**/*.ts', 'web/src/**/*.tsx'],
        generates: { [output]: { plugins: ['typescript-operations'] } },
      },
      false,
    );
    expect(file?.content).toBeDefined();
    // Both sources made it in: examples of docs/graphql.md and docs/runs.md, and dashboard operations (with their fragments).
    for (const name of [
      'OverviewQuery',
      'FollowRunSubscription',
      'DashboardRunQuery',
      'DashboardReviewResultMutation',
      'DashboardRunFieldsFragment',
    ]) {
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
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
