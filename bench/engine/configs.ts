// Hand-written configs for the benchmarks. The same config drives the engine and the DuckDB baseline (see sql.ts),
// so blocking keys use only the transforms SQL can express (exact, prefix) and comparisons jaro_winkler / exact.
import type { MatchConfig } from '../../src/matching/index';

const jw = { algorithm: 'jaro_winkler' as const };

/** FEBRL4: columns given_name, surname, street_number, address_1, address_2, suburb, postcode, state,
 *  date_of_birth, soc_sec_id. Identifiers and dates get most weight; every field has typos, so all are fuzzy.
 *  Threshold 0.7: FEBRL duplicates carry several corrupted fields, and non-matches sharing a block score far
 *  lower (precision stays 1.0 down to 0.6 on this data). */
export const febrlConfig: MatchConfig = {
  threshold: 0.7,
  fieldMappings: [
    { source: 'given_name', target: 'given_name', strategy: 'fuzzy', weight: 0.12, options: jw },
    { source: 'surname', target: 'surname', strategy: 'fuzzy', weight: 0.14, options: jw },
    { source: 'street_number', target: 'street_number', strategy: 'fuzzy', weight: 0.06, options: jw },
    { source: 'address_1', target: 'address_1', strategy: 'fuzzy', weight: 0.1, options: jw },
    { source: 'address_2', target: 'address_2', strategy: 'fuzzy', weight: 0.04, options: jw },
    { source: 'suburb', target: 'suburb', strategy: 'fuzzy', weight: 0.08, options: jw },
    { source: 'postcode', target: 'postcode', strategy: 'fuzzy', weight: 0.08, options: jw },
    { source: 'state', target: 'state', strategy: 'exact', weight: 0.02 },
    { source: 'date_of_birth', target: 'date_of_birth', strategy: 'fuzzy', weight: 0.16, options: jw },
    { source: 'soc_sec_id', target: 'soc_sec_id', strategy: 'fuzzy', weight: 0.2, options: jw },
  ],
  blocking: {
    strategy: 'parallel',
    maxPostings: 1000,
    keys: [
      { parts: [{ source: 'soc_sec_id', target: 'soc_sec_id', transform: 'exact' }] },
      { parts: [{ source: 'date_of_birth', target: 'date_of_birth', transform: 'exact' }] },
      {
        parts: [
          { source: 'given_name', target: 'given_name', transform: 'prefix', length: 2 },
          { source: 'surname', target: 'surname', transform: 'prefix', length: 2 },
        ],
      },
      {
        parts: [
          { source: 'postcode', target: 'postcode', transform: 'exact' },
          { source: 'street_number', target: 'street_number', transform: 'exact' },
        ],
      },
      {
        parts: [
          { source: 'surname', target: 'surname', transform: 'exact' },
          { source: 'suburb', target: 'suburb', transform: 'prefix', length: 3 },
        ],
      },
    ],
  },
};

/** Synthetic people (bench/engine/synthetic.ts). */
export const syntheticConfig: MatchConfig = {
  threshold: 0.8,
  fieldMappings: [
    { source: 'given_name', target: 'given_name', strategy: 'fuzzy', weight: 0.15, options: jw },
    { source: 'surname', target: 'surname', strategy: 'fuzzy', weight: 0.25, options: jw },
    { source: 'dob', target: 'dob', strategy: 'fuzzy', weight: 0.25, options: jw },
    { source: 'address', target: 'address', strategy: 'fuzzy', weight: 0.15, options: jw },
    { source: 'city', target: 'city', strategy: 'fuzzy', weight: 0.1, options: jw },
    { source: 'postcode', target: 'postcode', strategy: 'exact', weight: 0.1 },
  ],
  blocking: {
    strategy: 'parallel',
    maxPostings: 2000,
    keys: [
      { parts: [{ source: 'dob', target: 'dob', transform: 'exact' }] },
      {
        parts: [
          { source: 'postcode', target: 'postcode', transform: 'exact' },
          { source: 'surname', target: 'surname', transform: 'prefix', length: 2 },
        ],
      },
      {
        parts: [
          { source: 'surname', target: 'surname', transform: 'exact' },
          { source: 'city', target: 'city', transform: 'prefix', length: 3 },
        ],
      },
    ],
  },
};
