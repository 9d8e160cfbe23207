import { keysToSnake, snakeCase } from '../shared/key-case';
import { strategyReviewBand, type Strategy } from './service';

const base = '/v1/matching/strategies';

/** Top-level keys only: values below may be keyed by column names, which stay as they are. */
function shallowSnake(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snakeCase(key), inner]));
}

/**
 * The REST strategy object: the executable plan in the config's shape (field_mappings, threshold, blocking, model),
 * the explanation of each mapping (`mappings[].rationale`) and the generator's report (`details`, passed through).
 */
export function strategyBody(strategy: Strategy) {
  const { fieldMappings, threshold, blocking, oneToOne, model } = strategy.plan;
  const {
    mappings,
    reviewBand: _band,
    ...report
  } = (strategy.details ?? {}) as { mappings?: Array<Record<string, unknown>>; reviewBand?: unknown };
  return {
    id: strategy.id,
    name: strategy.name,
    matching_config_id: strategy.matchingConfigId,
    reference_data_id: strategy.referenceDataId,
    source_data_id: strategy.sourceDataId,
    user_prompt: strategy.userPrompt,
    version: strategy.version,
    version_hash: strategy.versionHash,
    labels_used: strategy.labelsUsed,
    field_mappings: fieldMappings.map((mapping) => keysToSnake({ ...mapping, options: mapping.options ?? {} })),
    threshold,
    review_band: strategyReviewBand(strategy),
    blocking: blocking ? keysToSnake(blocking) : null,
    one_to_one: oneToOne ?? false,
    model: model ?? null,
    mappings: (mappings ?? []).map(shallowSnake),
    details: report,
    created_at: strategy.createdAt.toISOString(),
    updated_at: strategy.updatedAt.toISOString(),
    links: {
      self: `${base}/${strategy.id}`,
      reference_data: `/v1/reference-data/${strategy.referenceDataId}`,
      ...(strategy.sourceDataId ? { source_data: `/v1/source-data/${strategy.sourceDataId}` } : {}),
      ...(strategy.matchingConfigId ? { config: `/v1/matching/configs/${strategy.matchingConfigId}` } : {}),
    },
  };
}
