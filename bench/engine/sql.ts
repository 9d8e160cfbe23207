// The peer baseline: the linkage a user would otherwise write by hand as Splink-style SQL on DuckDB, generated
// from the same MatchConfig the engine runs: normalised columns, blocking rules as equi-joins UNIONed into a
// table of candidate id pairs (with the engine's stop-key cap applied to the reference side, so both compare the
// same pairs), jaro_winkler_similarity / equality per field, the engine's missing-value rule
// (Σ w·s / Σ w over fields present on both sides), and the best candidate per source row (ties: smaller id).
import type { BlockingKeyPart, FieldMapping, MatchConfig } from '../../src/matching/index';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** SQL twin of normaliseText for ASCII data: lower case, apostrophes dropped, other non-alphanumerics → one space. */
const normalised = (column: string) =>
  `nullif(trim(regexp_replace(regexp_replace(lower(${ident(column)}), '''', '', 'g'), '[^a-z0-9]+', ' ', 'g')), '')`;

function partExpression(part: BlockingKeyPart, alias: string, side: 'source' | 'target'): string {
  const column = `${alias}.${ident(`n_${part[side]}`)}`;
  switch (part.transform) {
    case 'exact':
      return column;
    case 'prefix':
      return `substr(${column}, 1, ${part.length ?? 4})`;
    default:
      throw new Error(`blocking transform ${part.transform} has no SQL equivalent in the baseline`);
  }
}

function comparison(m: FieldMapping, i: number): { score: string; present: string } {
  const s = `s.${ident(`n_${m.source}`)}`;
  const r = `r.${ident(`n_${m.target}`)}`;
  const present = `(${s} IS NOT NULL AND ${r} IS NOT NULL)`;
  let similarity: string;
  if (m.strategy === 'exact') similarity = `CASE WHEN ${s} = ${r} THEN 1.0 ELSE 0.0 END`;
  else if (m.strategy === 'fuzzy' && (m.options?.algorithm ?? 'jaro_winkler') === 'jaro_winkler')
    similarity = `jaro_winkler_similarity(${s}, ${r})`;
  else throw new Error(`mapping ${i} (${m.strategy}) has no SQL equivalent in the baseline`);
  return {
    score: `CASE WHEN ${present} THEN ${m.weight} * ${similarity} ELSE 0 END`,
    present: `CASE WHEN ${present} THEN ${m.weight} ELSE 0 END`,
  };
}

export interface LinkageSql {
  /** statements to run in order; the last leaves table `best(sid, rid, score)` and table `pairs(sid, rid)` */
  statements: string[];
}

export function linkageSql(config: MatchConfig): LinkageSql {
  const sourceColumns = [
    ...new Set(
      config.fieldMappings.map((m) => m.source).concat((config.blocking?.keys ?? []).flatMap((k) => k.parts.map((p) => p.source))),
    ),
  ];
  const targetColumns = [
    ...new Set(
      config.fieldMappings.map((m) => m.target).concat((config.blocking?.keys ?? []).flatMap((k) => k.parts.map((p) => p.target))),
    ),
  ];
  const cap = config.blocking?.maxPostings ?? 1000;
  const keys = config.blocking?.keys ?? [];
  if (keys.length === 0) throw new Error('the SQL baseline needs explicit blocking keys');

  const blockingRules = keys.map((key, k) => {
    const refParts = key.parts.map((p, i) => `${partExpression(p, 'r', 'target')} AS k${i}`).join(', ');
    const notNull = key.parts.map((_, i) => `k${i} IS NOT NULL`).join(' AND ');
    const partition = key.parts.map((_, i) => `k${i}`).join(', ');
    const join = key.parts.map((p, i) => `rk.k${i} = ${partExpression(p, 's', 'source')}`).join(' AND ');
    // Reference side of the rule without stop-keys: values held by more than `cap` rows are dropped, as the engine does.
    return `SELECT s.id AS sid, rk.id AS rid FROM s JOIN (
        SELECT * FROM (SELECT r.id, ${refParts} FROM r) WHERE ${notNull}
        QUALIFY count(*) OVER (PARTITION BY ${partition}) <= ${cap}
      ) rk ON ${join}  -- rule ${k}`;
  });
  const comparisons = config.fieldMappings.map(comparison);
  const numerator = comparisons.map((c) => c.score).join(' + ');
  const denominator = comparisons.map((c) => c.present).join(' + ');

  return {
    statements: [
      `CREATE TEMP TABLE s AS SELECT id, ${sourceColumns.map((c) => `${normalised(c)} AS ${ident(`n_${c}`)}`).join(', ')} FROM src`,
      `CREATE TEMP TABLE r AS SELECT id, ${targetColumns.map((c) => `${normalised(c)} AS ${ident(`n_${c}`)}`).join(', ')} FROM ref`,
      `CREATE TEMP TABLE pairs AS ${blockingRules.join('\nUNION\n')}`,
      `CREATE TEMP TABLE best AS
       WITH scored AS (
         SELECT p.sid, p.rid, (${numerator}) AS num, (${denominator}) AS den
         FROM pairs p JOIN s ON s.id = p.sid JOIN r ON r.id = p.rid
       )
       SELECT sid, rid, num / den AS score FROM scored WHERE den > 0
       QUALIFY row_number() OVER (PARTITION BY sid ORDER BY num / den DESC, rid) = 1`,
    ],
  };
}
