import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedModule, generatedPath, WASM_SOURCES } from '../../../scripts/wasm';

describe('WebAssembly kernels', () => {
  it.each(WASM_SOURCES)('%s matches its generated module (run `npm run wasm:build` after changing it)', async (source) => {
    expect(readFileSync(generatedPath(source), 'utf8')).toBe(await generatedModule(source));
  });
});
