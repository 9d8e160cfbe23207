// Child process: the DuckDB baseline side. Loads the same CSVs (all columns as text), runs the generated
// linkage SQL, then reads quality figures back; prints one JSON result with its own peak RSS.
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import type { MatchConfig } from '../../src/matching/index';
import { peakRssBytes } from '../lib/output';
import { quality } from './quality';
import { linkageSql } from './sql';

interface Args {
  reference: string;
  source: string;
  config: MatchConfig;
  threads: number;
  /** run load + linkage this many times (fresh tables each time); times of every run are reported */
  repeat?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const csv = (path: string) =>
  `read_csv('${path.replace(/'/g, "''")}', header = true, all_varchar = true, delim = ',', quote = '', escape = '')`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
const connection = await instance.connect();
const runs: Array<{ loadMs: number; linkMs: number; totalMs: number; cpuMs: number }> = [];
for (let i = 0; i < Math.max(1, args.repeat ?? 1); i++) {
  if (i > 0) for (const table of ['best', 'pairs', 's', 'r', 'src', 'ref']) await connection.run(`DROP TABLE ${table}`);
  const start = performance.now();
  const cpuStart = process.cpuUsage(); // the whole process: DuckDB's native threads included
  await connection.run(`CREATE TABLE ref AS SELECT * FROM ${csv(args.reference)}`);
  await connection.run(`CREATE TABLE src AS SELECT * FROM ${csv(args.source)}`);
  const loaded = performance.now();
  for (const statement of linkageSql(args.config).statements) await connection.run(statement);
  const linked = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  runs.push({ loadMs: loaded - start, linkMs: linked - loaded, totalMs: linked - start, cpuMs: (cpu.user + cpu.system) / 1000 });
}
const peakRss = peakRssBytes();

const one = async (sql: string) => Number(((await connection.runAndReadAll(sql)).getRows()[0] ?? [])[0] ?? 0);
const threshold = args.config.threshold;
const tp = await one(`SELECT count(*) FROM best b JOIN src ON src.id = b.sid WHERE b.score >= ${threshold} AND b.rid = src.truth`);
const fp = await one(
  `SELECT count(*) FROM best b JOIN src ON src.id = b.sid WHERE b.score >= ${threshold} AND (src.truth IS NULL OR b.rid <> src.truth)`,
);
const truths = await one(`SELECT count(*) FROM src WHERE truth IS NOT NULL AND truth <> ''`);
const pairs = await one(`SELECT count(*) FROM pairs`);
const blocked = await one(`SELECT count(*) FROM pairs p JOIN src ON src.id = p.sid AND src.truth = p.rid`);

console.log(
  JSON.stringify({
    runs,
    peakRssBytes: peakRss,
    pairs,
    quality: quality(tp, fp, truths),
    blockingRecall: truths === 0 ? 0 : blocked / truths,
  }),
);
connection.closeSync();
instance.closeSync();
