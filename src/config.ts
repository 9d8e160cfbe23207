import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Every setting Concord reads from the environment, with its default. Documented in docs/configuration.md. */
const settingsSchema = z.object({
  /** Postgres to use; absent → an embedded PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** HTTP port. Default 4000; 0 picks a free port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Host to bind. Default 127.0.0.1 (use 0.0.0.0 to serve other machines). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * The address clients reach this server at (`https://concord.example.com`), for absolute URLs in answers (the
   * reconciliation manifest). Unset: taken from each request's Host header (and X-Forwarded-Proto: https).
   */
  PUBLIC_URL: z.string().url().optional(),
  /** Where the embedded PostgreSQL keeps its cluster. Default ./.data */
  DATA_DIR: z.string().min(1).default('./.data'),
  /** Guards /v1/admin/*; absent → the admin routes answer 401. */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  /** Largest accepted upload, in bytes. Default 200 MB. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * 1024 * 1024),
  /** Largest JSON body, in bytes. Default 10 MB. */
  MAX_JSON_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Run a graphile-worker inside the server process. Default true. */
  RUN_WORKER: booleanFlag.default(true),
  /** Jobs a worker runs at once. Default 2 (one per core here). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Webhook deliveries a worker makes at once, in job slots of their own (a slow endpoint never holds a run's slot). Default 4. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Source rows per chunk job of a run. Default 5000. */
  RUN_CHUNK_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** Upper bound of the reference indexes a worker process keeps across chunks (sum of estimated bytes). Default 1.5 GB. */
  INDEX_CACHE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1536 * 1024 * 1024),
  /** Match now: how long a request waits for its warm index to be built before answering 503 index_building (ms). Default 2000. */
  MATCH_INDEX_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Match now: the Retry-After (s) of that 503. Default 5. */
  MATCH_INDEX_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** Match now: comma-separated config ids whose warm indexes a server builds at start (with the config's own mappings). */
  PRELOAD_INDEXES: z.string().default(''),
  /** Least time between two progress events of one run (across all workers), in ms. Default 250. */
  RUN_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).default(250),
  /** Threads a worker process matches on: 0 = one per core for references of ≥ 50,000 rows (smaller ones inline), 1 = always inline, n > 1 = always n threads. */
  MATCH_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /** A worker process silent for this long is taken for dead and its jobs run elsewhere. Default 60. */
  WORKER_STALE_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
  /**
   * On SIGTERM/SIGINT, how long a worker lets its running chunks finish before handing them back (their job locks are
   * released so another worker takes them at once). The process exits within about this plus 1 s. Default 5000.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** Attempts of a chunk job before the run fails. Default 3. */
  RUN_CHUNK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(3),
  /**
   * Requests per minute per API key (REST, GraphQL over HTTP, graphql-ws subscribes), counted in Postgres so every
   * server process shares one budget; `api_keys.rate_limit_per_minute` overrides it per key. Default 600; 0 → unlimited.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /** Deepest field nesting a GraphQL operation may have (introspection excluded). Default 12. */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  /** Aliases a GraphQL document may use. Default 15. */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  /** Lexical tokens a GraphQL document may have (checked while parsing). Default 2000. */
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(2000),
  /**
   * Estimated cost a GraphQL operation may have: each field costs 1, times the page sizes (`first`, `last`, `limit`;
   * 100 when given by a variable, 20 when absent on a list-returning field) of the fields it is nested in. Default 10000.
   */
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(10000),
  /**
   * Operations one graphql-ws connection may have running at once (subscriptions, and queries or mutations still in
   * progress); one more gets a `too_many_subscriptions` error. Default 20.
   */
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  /** Subscriptions one API key may have open at once in one server process, graphql-ws and SSE together. Default 100. */
  SUBSCRIPTIONS_PER_KEY: z.coerce.number().int().min(1).default(100),
  /**
   * The only hosts webhooks may be sent to (comma-separated; `.example.com` includes subdomains); a listed host may be
   * private or loopback. Unset: any host with a public address.
   */
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = settingsSchema.safeParse(defined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SettingsError(`invalid environment: ${problems}`);
  }
  return parsed.data;
}
