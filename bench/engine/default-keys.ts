// Blocking with the keys the engine derives when a config has none (FEBRL4 config without its blocking keys):
// recall of the true pairs and candidate pairs. In-process and cheap (blocking only, no scoring).
import { blockingStats, buildReferenceIndex, type EngineRow, type MatchConfig } from '../../src/matching/index';
import { readCsvRecords } from '../lib/csv';
import { emit } from '../lib/output';
import type { DatasetFiles } from './datasets';

function* rows(path: string, truth?: Map<string, string>): Generator<EngineRow> {
  for (const { id = '', truth: t = '', ...values } of readCsvRecords(path)) {
    truth?.set(id, t);
    yield { id, values };
  }
}

export function runDefaultKeysBench(label: string, files: DatasetFiles, config: MatchConfig): void {
  const withoutKeys: MatchConfig = { ...config, blocking: undefined };
  const truth = new Map<string, string>();
  const source = [...rows(files.source, truth)];
  const index = buildReferenceIndex(rows(files.reference), withoutKeys);
  const rowOf = new Map<string, number>();
  for (let i = 0; i < index.size; i++) rowOf.set(index.referenceId(i), i);
  const collector = index.candidateCollector();
  let found = 0;
  let truths = 0;
  for (const row of source) {
    const t = truth.get(row.id);
    if (!t) continue;
    truths++;
    const target = rowOf.get(t);
    const n = collector.collect(row.values);
    for (let c = 0; c < n; c++) {
      if (collector.candidates[c] === target) {
        found++;
        break;
      }
    }
  }
  const stats = blockingStats(index, source);
  emit({ name: `${label}.default_keys.blocking_recall`, value: found / truths, unit: 'ratio', keys: index.data.blocking.keys.length });
  emit({ name: `${label}.default_keys.pairs`, value: stats.pairs, unit: 'pairs', reduction_ratio: stats.reductionRatio });
}
