/**
 * The query API's own settings, parsed once from an environment record (the platform or
 * main.ts passes process.env; libs/config stays the only reader of process.env). A bad value
 * stops the start with its name. Move them into libs/config when it grows a query section.
 */
export interface QueryApiConfig {
  /** Longest a read with a consistency token waits for the projection (QUERY_CONSISTENCY_WAIT_MS, default 5000). */
  readonly consistencyMaxWaitMs: number;
  readonly consistencyPollMs: number;
  /** Per-client (token subject) requests per window (QUERY_RATE_LIMIT_MAX, default 600 / QUERY_RATE_LIMIT_WINDOW_MS 60000). */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** Retention sweeper interval (QUERY_RETENTION_SWEEP_MS, default 60000; 0 = off). */
  readonly retentionSweepMs: number;
  /** Second re-fold after an erasure, once every key cache has expired (QUERY_FINAL_REFOLD_DELAY_MS, default 60000). */
  readonly finalRefoldDelayMs: number;
  /** Statement timeout of the query API's database sessions (QUERY_STATEMENT_TIMEOUT_MS, default 10000). */
  readonly statementTimeoutMs: number;
  readonly readModelSchema: string;
  readonly schema: string;
  /** The ingestor's schema (INGESTOR_SCHEMA, default ingestor): erasure purges its parked events and dead-letter bytes. */
  readonly ingestorSchema: string;
  readonly poolMax: number;
}

export class QueryApiConfigError extends Error {
  constructor(
    readonly setting: string,
    rule: string,
  ) {
    super(`${setting}: ${rule}`);
    this.name = 'QueryApiConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const int = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new QueryApiConfigError(name, `an integer ${min}-${max}`);
  return n;
};

const identifier = (env: Env, name: string, fallback: string): string => {
  const value = env[name] ?? fallback;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) throw new QueryApiConfigError(name, 'a lower-case SQL identifier');
  return value;
};

export function parseQueryApiConfig(env: Env = {}): QueryApiConfig {
  return {
    consistencyMaxWaitMs: int(env, 'QUERY_CONSISTENCY_WAIT_MS', 5_000, 0, 60_000),
    consistencyPollMs: int(env, 'QUERY_CONSISTENCY_POLL_MS', 50, 5, 5_000),
    rateLimitMax: int(env, 'QUERY_RATE_LIMIT_MAX', 600, 1, 1_000_000),
    rateLimitWindowMs: int(env, 'QUERY_RATE_LIMIT_WINDOW_MS', 60_000, 100, 3_600_000),
    retentionSweepMs: int(env, 'QUERY_RETENTION_SWEEP_MS', 60_000, 0, 86_400_000),
    finalRefoldDelayMs: int(env, 'QUERY_FINAL_REFOLD_DELAY_MS', 60_000, 0, 86_400_000),
    statementTimeoutMs: int(env, 'QUERY_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
    readModelSchema: identifier(env, 'READ_MODEL_SCHEMA', 'read_models'),
    schema: identifier(env, 'QUERY_API_SCHEMA', 'query_api'),
    ingestorSchema: identifier(env, 'INGESTOR_SCHEMA', 'ingestor'),
    poolMax: int(env, 'QUERY_DATABASE_POOL_MAX', 10, 1, 200),
  };
}
