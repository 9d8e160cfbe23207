/**
 * The docs hold together: every relative link of the README and docs/ reaches a file, every `#anchor` a heading
 * (as GitHub names it), every page of docs/ is on the README's map, and no code, test or page cites a document the
 * repository does not have (the first round's design notes lived outside it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docPages, githubSlug, headingAnchors, linkTargets } from '../support/docs';
import { projectRoot } from '../support/process';

const pages = docPages();
const anchorsOf = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let found = anchorsOf.get(file);
  if (!found) {
    found = headingAnchors(readFileSync(file, 'utf8'));
    anchorsOf.set(file, found);
  }
  return found;
}

describe('links of the README and docs/', () => {
  it('finds links to check', () => {
    expect(pages.map((page) => page.file)).toContain('docs/architecture.md');
    expect(pages.flatMap((page) => linkTargets(page.text)).length).toBeGreaterThan(50);
  });

  it('every relative link reaches a file, and every #anchor a heading of its page', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const { line, target } of linkTargets(page.text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
        const [pathPart = '', anchor] = target.split('#', 2);
        const file =
          pathPart === '' ? path.join(projectRoot, page.file) : path.resolve(projectRoot, path.dirname(page.file), decodeURI(pathPart));
        const where = `${page.file}:${line} → ${target}`;
        if (!file.startsWith(projectRoot + path.sep) || !existsSync(file)) broken.push(`${where} (no such file)`);
        else if (anchor !== undefined && (!file.endsWith('.md') || !anchors(file).has(anchor))) broken.push(`${where} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("puts every page of docs/ on the README's map", () => {
    const readmeLinks = new Set(linkTargets(pages[0]!.text).map(({ target }) => target.split('#')[0]));
    const unlinked = pages.filter((page) => page.file.startsWith('docs/') && !readmeLinks.has(page.file)).map((page) => page.file);
    expect(unlinked).toEqual([]);
  });
});

describe("GitHub's heading anchors", () => {
  it.each([
    ['REST API (`/v1`)', 'rest-api-v1'],
    ['Comparators (each returns a score in [0, 1])', 'comparators-each-returns-a-score-in-0-1'],
    ['With a Fellegi–Sunter model (`config.model`, smart runs)', 'with-a-fellegisunter-model-configmodel-smart-runs'],
    ['Steering generation: `user_prompt`', 'steering-generation-user_prompt'],
    ['Lost the printed key?', 'lost-the-printed-key'],
    ["A run's path from route to worker to subscription", 'a-runs-path-from-route-to-worker-to-subscription'],
    ['See [the API](rest-api.md) here', 'see-the-api-here'],
  ])('%s → #%s', (heading, anchor) => {
    expect(githubSlug(heading)).toBe(anchor);
  });

  it('numbers repeated headings', () => {
    expect([...headingAnchors('# Runs\n## REST\n```\n# not a heading\n```\n## REST\n')]).toEqual(['runs', 'rest', 'rest-1']);
  });
});

/** Text files of the code, tests, scripts and docs (not data: fixtures, build output, dependencies). */
function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(projectRoot, folder), { withFileTypes: true })) {
    const relative = `${folder}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!['node_modules', 'fixtures', 'dist', 'artifacts'].includes(entry.name)) files.push(...sourceFiles(relative));
    } else if (/\.(ts|tsx|js|mjs|md|graphql|html|css|sh)$/.test(entry.name) || folder === '.ci') {
      files.push(relative);
    }
  }
  return files;
}

describe('documents cited by the code, tests and docs', () => {
  const folders = ['docs', 'src', 'test', 'web/src', 'bench', 'scripts', '.ci'];
  const cited = ['README.md', ...folders.flatMap(sourceFiles), 'vitest.config.ts', 'package.json'];

  it('scans the tree', () => {
    expect(cited).toContain('src/http/rest/errors.ts');
    expect(cited.length).toBeGreaterThan(200);
  });

  it('cites only documents that exist in the repository', () => {
    const problems: string[] = [];
    for (const file of cited) {
      const text = readFileSync(path.join(projectRoot, file), 'utf8');
      text.split('\n').forEach((line, index) => {
        const where = `${file}:${index + 1}`;
        // The design notes of the first round sat in a `shared` folder beside the checkout: a relative path up into a
        // `shared` folder must land inside the repository (src/modules/shared does), never outside it.
        for (const [mention] of line.matchAll(/(?:\.\.\/)+shared(?:\/[\w.-]+)*/g)) {
          const target = path.resolve(projectRoot, path.dirname(file), mention);
          const inside = target.startsWith(projectRoot + path.sep);
          if (!inside || !['', '.ts', '.tsx', '/index.ts'].some((suffix) => existsSync(target + suffix))) {
            problems.push(`${where} cites ${mention}, which is not in the repository`);
          }
        }
        for (const [name] of line.matchAll(/(?<![\w/.-])(?:DESIGN|API|STACK)\.md\b/g)) {
          const exists = existsSync(path.join(projectRoot, name)) || existsSync(path.join(projectRoot, 'docs', name));
          if (!exists) problems.push(`${where} cites ${name}`);
        }
        for (const [mention] of line.matchAll(/(?:[\w.-]+\/)+[\w.-]+\.md\b/g)) {
          const candidates = [path.resolve(projectRoot, path.dirname(file), mention), path.resolve(projectRoot, mention)];
          const exists = candidates.some((candidate) => existsSync(candidate) && statSync(candidate).isFile());
          if (!exists) problems.push(`${where} cites ${mention}`);
        }
      });
    }
    expect(problems).toEqual([]);
  });
});
