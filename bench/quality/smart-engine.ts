// Loads strategy generation (src/matching/smart, built on branch h/smart) when it exists. The module is looked up
// at run time, not imported statically, so this suite type-checks and its hand-config figures work before the
// smart engine lands; until then smart figures are skipped with the reason on stderr.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CreateReviewResolver, GenerateStrategy } from '../../src/matching/smart/types';

export interface SmartEngine {
  generateStrategy: GenerateStrategy;
  createReviewResolver: CreateReviewResolver;
}

/** Where the smart engine's entry points may be exported from, in order of preference. */
const CANDIDATE_MODULES = ['../../src/matching/smart/index.ts', '../../src/matching/index.ts'];

/** The smart engine, or the reason it is not available. */
export async function loadSmartEngine(): Promise<SmartEngine | { unavailable: string }> {
  const found: Partial<SmartEngine> = {};
  for (const relative of CANDIDATE_MODULES) {
    const url = new URL(relative, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const module = (await import(url.href)) as Partial<SmartEngine>;
    found.generateStrategy ??= typeof module.generateStrategy === 'function' ? module.generateStrategy : undefined;
    found.createReviewResolver ??= typeof module.createReviewResolver === 'function' ? module.createReviewResolver : undefined;
  }
  if (found.generateStrategy && found.createReviewResolver) return found as SmartEngine;
  const missing = (['generateStrategy', 'createReviewResolver'] as const).filter((name) => !found[name]);
  return { unavailable: `${missing.join(' and ')} not exported by src/matching/smart/index.ts (merge h/smart)` };
}
