// The shape of a quality dataset: two tables as the service would sample them, the ground truth, and the config a
// user would plausibly write by hand for them.
import type { MatchConfig } from '../../src/matching/index';
import type { SampledTable } from '../../src/matching/smart/types';

export interface QualityDataset {
  name: string;
  reference: SampledTable;
  source: SampledTable;
  /** source row id → its true reference row id (the first, when it has several), or null when the source row has
   *  no counterpart */
  truth: Map<string, string | null>;
  /** every true reference row of each source row, where some have more than one (real data); see score.ts */
  truePairs?: Map<string, ReadonlySet<string>>;
  /** absent: no hand-config line for this dataset */
  handConfig?: MatchConfig;
}

export interface GenerateOptions {
  seed: number;
  referenceSize: number;
  sourceSize: number;
}

export type DatasetGenerator = (options: GenerateOptions) => QualityDataset;
