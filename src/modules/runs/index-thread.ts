/**
 * Worker thread that loads a reference dataset and builds its index with `{ shared: true }`, so a large build
 * (seconds for a million rows) never blocks the event loop of the process that serves HTTP and events. The index
 * data lives on SharedArrayBuffers: posting it back shares the memory, nothing is copied.
 * Message in (workerData): {databaseUrl, referenceDataId, config}; message out: {data} or {error}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import postgres from 'postgres';
import { buildReferenceIndex, type MatchConfig } from '../../matching';
import { loadEngineRows } from './store';

interface Input {
  databaseUrl: string;
  referenceDataId: string;
  config: MatchConfig;
}

async function main(): Promise<void> {
  const { databaseUrl, referenceDataId, config } = workerData as Input;
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'concord-index' } });
  try {
    const rows = await loadEngineRows(sql, referenceDataId);
    const index = buildReferenceIndex(rows, config, { shared: true });
    parentPort?.postMessage({ data: index.data, rows: rows.length });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
});
