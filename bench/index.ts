// `npm run bench -- <suite> [flags]`: each suite prints JSON lines {name, value, unit, baseline?, ratio?}.
// Suites are modules exporting `run(args: string[]): Promise<void>`; add new ones to this map.

type Suite = { run(args: string[]): Promise<void> };

const suites: Record<string, () => Promise<Suite>> = {
  engine: () => import('./engine/index'),
  runs: () => import('./runs'),
  quality: () => import('./quality/index'),
  load: () => import('./load'),
  realtime: () => import('./realtime'),
};

const [suiteName, ...args] = process.argv.slice(2);
const load = suiteName === undefined ? undefined : suites[suiteName];
if (load === undefined) {
  console.error(`usage: npm run bench -- <suite> [flags]; suites: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
await (await load()).run(args);

export {};
