// A mapping's rationale in plain language, with the figures it rests on.

import type { ComparatorChoice } from './comparator-choice';
import type { FieldProbabilities } from './em';
import type { FieldKindName } from './kinds';
import { pct, type ProposedMapping } from './mappings';
import { describeMeasurement, type DifferenceMeasurement } from './offsets';

/** `damping`: the share of its evidence the field counts (1; ½ for a title, 0 for free text, when the whole-record
 *  text scores the same words). */
export function mappingRationale(
  p: ProposedMapping,
  kind: FieldKindName,
  choice: ComparatorChoice,
  probabilities: FieldProbabilities,
  logBayesFactors: number[],
  emphasis: number,
  damping = 1,
  learntWindow?: DifferenceMeasurement,
): string {
  const parts: string[] = [];
  parts.push(`${p.source} ↔ ${p.target}: ${p.reason}`);
  // Fields over several columns have no single column whose values could be found in another.
  if (kind !== 'record_text' && kind !== 'codes' && kind !== 'quantities')
    parts.push(`${pct(p.overlap.values)} of source values (${pct(p.overlap.tokens)} of words) found in the reference column`);
  parts.push(`${kind.replace(/_/g, ' ')}: ${choice.describe.replace(/^[^→]*→\s*/, '')}`);
  if (learntWindow !== undefined)
    parts.push(
      `window learnt because the differences ${learntWindow.verdict === 'shifted' ? 'are shifted to one side' : 'lean to one side'}: ${describeMeasurement(learntWindow)}`,
    );
  if (damping === 0) {
    parts.push('not counted: the whole-record text scores the same words with the same comparison (kept for blocking and evidence)');
    return parts.join('; ');
  }
  const top = 0;
  const last = logBayesFactors.length - 1;
  const topLevel = choice.levels[top] as number;
  const bfTop = Math.exp(logBayesFactors[top] as number);
  parts.push(
    `${choice.strategy === 'exact' ? 'agreement' : `score ${topLevel >= 1 ? '= 1' : `≥ ${topLevel}`}`} is ${moreOrLess(bfTop)} for matches ` +
      `(m ${fmt(probabilities.m[top] as number)}, u ${fmt(probabilities.u[top] as number)})`,
  );
  const bfLast = Math.exp(logBayesFactors[last] as number);
  parts.push(
    `${last === 1 && choice.strategy === 'exact' ? 'disagreement' : `score below ${choice.levels[last - 1]}`} is ${moreOrLess(bfLast)} ` +
      `(m ${fmt(probabilities.m[last] as number)}, u ${fmt(probabilities.u[last] as number)})`,
  );
  if (emphasis !== 1) parts.push(`emphasised as instructed (evidence ×${emphasis})`);
  if (damping !== 1) parts.push(`counts ×${damping}: the whole-record text scores the same words too`);
  return parts.join('; ');
}

function moreOrLess(bayesFactor: number): string {
  return bayesFactor >= 1 ? `${times(bayesFactor)} more likely` : `${times(1 / bayesFactor)} less likely`;
}

function times(x: number): string {
  if (x >= 100) return `${Math.round(x)}×`;
  if (x >= 10) return `${Math.round(x)}×`;
  return `${Math.round(x * 10) / 10}×`;
}

function fmt(x: number): string {
  return x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}
