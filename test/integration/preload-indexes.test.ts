// PRELOAD_INDEXES: a server started with config ids builds their warm match indexes in the background, before any
// request asks for them, and skips (with a warning) an id that names no config.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/context';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { warmIndexesOf } from '../../src/modules/realtime/warm-indexes';
import { request } from '../support/http';
import { lineSink } from '../support/log-lines';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { until } from '../support/wait';
import { setupFebrl, type FebrlSetup } from './runs-fixture';

const NO_SUCH_CONFIG = '00000000-0000-4000-8000-000000000000';

let first: TestServer;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
let preloading: RunningServer;
let app: App;
const lines: string[] = [];

beforeAll(async () => {
  first = await startTestServer({ RUN_WORKER: false });
  workspace = await first.newWorkspace('preload');
  febrl = await setupFebrl(first.url, workspace.key);
  // A second server over the same database, started as an operator would with the config named.
  app = {
    ...first.app,
    settings: { ...first.app.settings, LOG_LEVEL: 'info', PRELOAD_INDEXES: ` ${febrl.configId} ,${NO_SUCH_CONFIG},` },
    logger: createLogger('info', lineSink(lines)),
  };
  preloading = await startServer(app, { port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await preloading?.close();
  await first?.close();
});

describe('PRELOAD_INDEXES', { timeout: 120_000 }, () => {
  it('builds the named config’s warm index at start, before any request, and skips an unknown id with a warning', async () => {
    const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const ready = await until('the preloaded warm index', () => logged().find((line) => line.msg === 'warm index ready'));
    expect(ready).toMatchObject({ rows: 5000 });
    expect(warmIndexesOf(app).size).toBe(1);
    expect(logged().filter((line) => line.msg === 'request')).toEqual([]);
    await until('the warning about the unknown id', () =>
      logged().some((line) => line.level === 40 && line.configId === NO_SUCH_CONFIG && String(line.msg).includes('no such config')),
    );

    // The first match finds the index warm: no second build.
    const answer = await request(`http://127.0.0.1:${preloading.port}`, 'POST', `/v1/matching/configs/${febrl.configId}/match`, {
      key: workspace.key,
      json: { records: [{ given_name: 'michaela', surname: 'neuman', date_of_birth: '19151111' }] },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(logged().filter((line) => line.msg === 'warm index ready')).toHaveLength(1);
    expect(warmIndexesOf(app).size).toBe(1);
  });
});
