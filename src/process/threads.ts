import { Worker } from 'node:worker_threads';

/** Starts a worker thread from a TypeScript or compiled module (under tsx, the thread registers tsx first). */
export function startThread(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The sibling module `name` (.ts under tsx, .js when compiled) of the module at `self`. */
export function siblingModule(self: string, name: string): URL {
  return new URL(self.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, self);
}

/** Runs one request on a fresh thread and resolves with the `data` it posts back (rejects with its `error`). */
export function runOnThread<T>(url: URL, workerData: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const thread = startThread(url, workerData);
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
      void thread.terminate();
    };
    thread.once('message', (message: { data?: T; error?: unknown }) =>
      settle(() => ('error' in message && message.error !== undefined ? reject(message.error) : resolve(message.data as T))),
    );
    thread.once('error', (error) => settle(() => reject(error)));
    thread.once('exit', (code) => settle(() => reject(new Error(`thread exited (${code})`))));
  });
}
