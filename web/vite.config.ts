import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard (index.html) and the API docs (docs.html) are two pages of one build, served by src/http/static.ts.
// No dev server or plugin is needed: JSX goes through Vite's own transformer with Preact's automatic runtime.
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    // Browsers that have WebSocket, fetch and ES modules; no legacy bundle.
    target: 'es2022',
    // Source maps stay out: the bundle is small and readable, and the server would only serve them to no one.
    sourcemap: false,
    rollupOptions: {
      input: { index: here('index.html'), docs: here('docs.html') },
    },
  },
});
