/**
 * The project's documentation as tests read it: the README and the pages of docs/, their fenced code blocks, their
 * relative links and the anchors their headings get on GitHub.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './process';

export interface DocPage {
  /** Path from the project root, with forward slashes (`README.md`, `docs/runs.md`). */
  file: string;
  text: string;
}

/** README.md, then every `docs/*.md` in name order. */
export function docPages(): DocPage[] {
  const pages = readdirSync(path.join(projectRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages].map((file) => ({ file, text: readFileSync(path.join(projectRoot, file), 'utf8') }));
}

/** The bodies of the page's fenced blocks of one language (```graphql … ```). */
export function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);
}

/** The page's lines outside fenced code blocks (``` or ~~~), each with its 1-based number. */
function proseLines(text: string): Array<{ line: number; content: string }> {
  const lines: Array<{ line: number; content: string }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((content, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(content)?.[1];
    if (fence === undefined && marker) fence = marker[0]!.repeat(marker.length);
    else if (fence !== undefined && marker?.startsWith(fence)) fence = undefined;
    else if (fence === undefined) lines.push({ line: index + 1, content });
  });
  return lines;
}

/** A line without its code spans (`…`), whose text is never a link. */
const withoutCodeSpans = (line: string) => line.replace(/(`+).*?\1/g, '');

/** Every link target of the page (inline `[text](target)`, images, and `[label]: target` definitions). */
export function linkTargets(text: string): Array<{ line: number; target: string }> {
  const targets: Array<{ line: number; target: string }> = [];
  for (const { line, content } of proseLines(text)) {
    const prose = withoutCodeSpans(content);
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push({ line, target: match[1]! });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition) targets.push({ line, target: definition[1]! });
  }
  return targets;
}

/**
 * The anchor GitHub gives a heading (github-slugger's rule): the heading's text as rendered (code spans keep their
 * text, links their label), lower-cased, every character that is not a letter, a digit, a mark, `_`, `-` or a space
 * dropped, spaces turned into hyphens.
 */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '')
    .replace(/<[^>]+>/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of the page's headings; a repeated one gets `-1`, `-2`, … as on GitHub. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { content } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(content)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
