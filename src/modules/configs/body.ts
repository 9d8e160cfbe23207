import { keysToSnake } from '../shared/key-case';
import type { MatchingConfig } from './service';

const base = '/v1/matching/configs';

/** The REST config object: snake_case, nested keys included (`options.tolerance_days`, `blocking.max_postings`). */
export function configBody(config: MatchingConfig) {
  return {
    id: config.id,
    name: config.name,
    reference_data_id: config.referenceDataId,
    source_data_id: config.sourceDataId,
    field_mappings: config.fieldMappings.map((mapping) => keysToSnake({ ...mapping, options: mapping.options ?? {} })),
    threshold: config.threshold,
    review_band: config.reviewBand,
    blocking: config.blocking ? keysToSnake(config.blocking) : null,
    one_to_one: config.oneToOne,
    schedule: config.schedule,
    created_at: config.createdAt.toISOString(),
    updated_at: config.updatedAt.toISOString(),
    links: {
      self: `${base}/${config.id}`,
      reference_data: `/v1/reference-data/${config.referenceDataId}`,
      ...(config.sourceDataId ? { source_data: `/v1/source-data/${config.sourceDataId}` } : {}),
    },
  };
}
