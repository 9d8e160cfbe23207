// A mapping's rationale in plain language, with the figures it rests on.

import type { ComparatorChoice } from './comparator-choice';
import type { FieldProbabilities } from './em';
import type { FieldKindName } from './kinds';
import { pct, type ProposedMapping } from './mappings';

export function mappingRationale(p: ProposedMapping, kind: FieldKindName, choice: ComparatorChoice, probabilities: FieldProbabilities, logBayesFactors: number[], emphasis: number): string {
  const parts: string[] = [];
  parts.push(`${p.source} ↔ ${p.target}: ${p.reason}`);
  parts.push(`${pct(p.overlap.values)} of source values (${pct(p.overlap.tokens)} of words) found in the reference column`);
  parts.push(`${kind.replace(/_/g, ' ')}: ${choice.describe.replace(/^[^→]*→\s*/, '')}`);
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
