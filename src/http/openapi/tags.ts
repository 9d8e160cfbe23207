/** The document's tags, in its order; every route names its own (`openapi.tags`). */
export const tagDescriptions = {
  'Reference data': 'Tables of known records that source rows are matched against (uploaded as CSV, JSON or NDJSON, or sent as JSON rows).',
  'Source data': 'Tables of rows to match (documents), with an optional document id and filename column.',
  Configs: 'Matching configs: which tables, which fields compared how, threshold, review band, blocking and schedule.',
  Strategies: 'Strategies generated from the data (field mappings, blocking, weights), versioned and editable; smart runs use them.',
  Runs: 'Matching runs: queued, executed by workers, followed through their progress, cancelled.',
  'Match now': 'Records matched at once against a config (its mappings or a strategy), on a warm index; nothing is stored.',
  Results: 'One result per source row of a run (match, confidence, evidence, candidates), and its review.',
  Reconciliation:
    'A matching config as a W3C Reconciliation Service (API v0.2, what OpenRefine 3.x speaks): manifest, queries, preview, suggest and data extension. Takes a read-only key in the `key` query parameter (OpenRefine cannot send headers); see docs/reconciliation.md.',
  Webhooks: 'Endpoints that receive signed run events, and their delivery log.',
  Admin: 'Provisioning with the ADMIN_TOKEN: workspaces, API keys and their rate limits.',
  Operations: 'Health, readiness, metrics and this document.',
} satisfies Record<string, string>;

export type Tag = keyof typeof tagDescriptions;
