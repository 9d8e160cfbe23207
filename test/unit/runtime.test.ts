/**
 * The runtime the project claims is the one it tests: `engines` names exactly the Node majors `.ci/run` runs the
 * suite on (24 LTS, from the npm registry, and the machine's 20), the README says so, and this test run's Node is
 * one of them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/process';

const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

/** `^24.0.0 || ^20.19.0` → [[24, 0], [20, 19]] (the only form engines uses here). */
function caretRanges(range: string): Array<[number, number]> {
  return range.split('||').map((part) => {
    const match = /^\s*\^(\d+)\.(\d+)\.\d+\s*$/.exec(part);
    if (!match) throw new Error(`engines.node part "${part}" is not a caret range`);
    return [Number(match[1]), Number(match[2])];
  });
}

describe('Node runtime', () => {
  const engines: string = JSON.parse(read('package.json')).engines.node;
  const ci = read('.ci/run');

  it('engines names the Node majors .ci/run tests, the recommended one first', () => {
    const ranges = caretRanges(engines);
    const node24 = /^NODE24_VERSION=(\d+)\.\d+\.\d+$/m.exec(ci)?.[1];
    expect(node24).toBe('24');
    expect(ranges.map(([major]) => major)).toEqual([24, 20]);
    expect(ci).toMatch(/case "\$NODE20_VERSION" in v20\.\*/);
    // The lock file records the root package's engines too.
    expect(JSON.parse(read('package-lock.json')).packages[''].engines.node).toBe(engines);
  });

  it('the README says what is tested', () => {
    const readme = read('README.md');
    expect(readme).toContain('**Node 24 LTS** (recommended');
    const [, minor20] = caretRanges(engines).find(([major]) => major === 20)!;
    expect(readme).toContain(`Node 20\n(≥ 20.${minor20}; still tested`);
  });

  it('this run is on one of those Node versions', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(
      caretRanges(engines).some(([m, n]) => m === major && minor >= n),
      `Node ${process.versions.node} against ${engines}`,
    ).toBe(true);
  });
});
