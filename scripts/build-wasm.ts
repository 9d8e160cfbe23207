/** `npm run wasm:build`: assembles the WebAssembly kernels (see scripts/wasm.ts). */
import { writeFileSync } from 'node:fs';
import { generatedModule, generatedPath, WASM_SOURCES } from './wasm';

for (const source of WASM_SOURCES) {
  writeFileSync(generatedPath(source), await generatedModule(source));
  process.stdout.write(`wrote ${generatedPath(source)}\n`);
}
