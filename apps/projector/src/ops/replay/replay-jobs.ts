import type { Pool } from 'pg';
import { OpsError, OpsErrorCode } from '../ops.errors';
import { OPS_SCHEMA } from '../ops-store';
import type { ReplayProgress, ReplayRequest, ReplayService } from './replay.service';

export type ReplayJobState = 'running' | 'done' | 'cancelled' | 'failed';

/** A replay started over HTTP (`POST /v1/ops/replay`), as `GET /v1/ops/replay/{id}` shows it. */
export interface ReplayJob {
  readonly id: string;
  readonly state: ReplayJobState;
  readonly request: {
    readonly from: string;
    readonly to: string;
    readonly types: readonly string[] | null;
    readonly topic: string;
    readonly ratePerSecond: number | null;
    readonly partitions: number | null;
  };
  readonly published: number;
  readonly total: number;
  readonly ratePerSecond: number;
  readonly error: string | null;
  readonly requestedBy: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A date (UTC midnight) or a date-time with its zone (the CLI's rule): a zoneless time is ambiguous.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const FIELDS = ['from', 'to', 'types', 'topic', 'ratePerSecond', 'partitions'] as const;

const invalid = (path: string, code: string, message: string): never => {
  throw new OpsError(OpsErrorCode.InvalidRequest, message, { errors: [{ path, code, message }] });
};

/**
 * The body of POST /v1/ops/replay, checked by hand: {"from", "to", "topic"} required, "types",
 * "ratePerSecond", "partitions" optional, nothing else. Each mistake names its field; the
 * service's own checks (range order, known types, reserved topics) follow.
 */
export function parseReplayBody(body: unknown): ReplayRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('', 'not-an-object', 'the body must be a JSON object like {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "topic": "c360.replay.crm"}');
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) invalid(unknown[0] ?? '', 'unknown-field', `unknown field(s) ${unknown.join(', ')} (allowed: ${FIELDS.join(', ')})`);
  const time = (field: 'from' | 'to'): Date => {
    const raw = record[field];
    if (raw === undefined || raw === null) return invalid(field, 'required', `${field} is required: an ISO time with its zone, e.g. 2026-11-01T00:00:00Z (the range is [from, to))`);
    if (typeof raw !== 'string' || !ISO_TIME.test(raw) || Number.isNaN(Date.parse(raw)))
      return invalid(field, 'invalid-time', `${field} must be an ISO time with its zone, e.g. 2026-11-01T00:00:00Z`);
    return new Date(Date.parse(raw));
  };
  const from = time('from');
  const to = time('to');
  const topic = record['topic'];
  if (topic === undefined || topic === null) invalid('topic', 'required', 'topic is required: the Kafka topic to publish to, e.g. "c360.replay.crm"');
  if (typeof topic !== 'string') invalid('topic', 'not-a-string', 'topic must be a string');
  let types: string[] | undefined;
  if (record['types'] !== undefined) {
    const t = record['types'];
    if (!Array.isArray(t)) return invalid('types', 'not-an-array', 'types must be an array of event type names, e.g. ["MoneyMoved"]');
    t.forEach((x, i) => {
      if (typeof x !== 'string' || x.length === 0) invalid(`types[${i}]`, 'not-a-string', 'each type must be a non-empty string');
    });
    types = [...new Set(t as string[])];
  }
  const number = (field: 'ratePerSecond' | 'partitions'): number | undefined => {
    const v = record[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return invalid(field, 'not-a-number', `${field} must be a number`);
    return v;
  };
  const ratePerSecond = number('ratePerSecond');
  const partitions = number('partitions');
  return {
    from,
    to,
    topic: topic as string,
    ...(types ? { types } : {}),
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
    ...(partitions !== undefined ? { partitions } : {}),
  };
}

interface Row {
  id: string;
  state: ReplayJobState;
  request: ReplayJob['request'];
  published: string;
  total: string;
  rate: number;
  error: string | null;
  requested_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const COLUMNS = `id::text AS id, state, request, published::text AS published, total::text AS total, rate, error, requested_by, created_at, finished_at`;

const toJob = (r: Row): ReplayJob => ({
  id: r.id,
  state: r.state,
  request: r.request,
  published: Number(r.published),
  total: Number(r.total),
  ratePerSecond: r.rate,
  error: r.error,
  requestedBy: r.requested_by,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

export interface ReplayJobsOptions {
  readonly pool: Pool;
  /** Undefined when Kafka is not configured: starting a replay answers 503. */
  readonly service: ReplayService | undefined;
  /** How often a running job writes its progress (and so shows it is alive). Default 500 ms. */
  readonly progressEveryMs?: number;
  /** A running job not updated for this long belongs to a process that died. Default 30 s. */
  readonly staleAfterMs?: number;
}

/**
 * Replays as jobs (c360_ops.replay_jobs): started in the background, progress polled. A replay
 * whose process died is marked failed (re-publishing is at least once: run it again and the
 * consumer sees the start of the window twice), never left running.
 */
export class ReplayJobs {
  private readonly background = new Map<string, { promise: Promise<unknown>; abort: AbortController }>();

  constructor(private readonly options: ReplayJobsOptions) {}

  async start(request: ReplayRequest, requestedBy: string, onError: (e: unknown) => void = () => undefined): Promise<ReplayJob> {
    const service = this.options.service;
    if (!service) throw new OpsError(OpsErrorCode.KafkaNotConfigured, 'replay publishes to Kafka and KAFKA_BROKERS is not set on this platform');
    service.validate(request);
    const total = await service.count(request);
    const stored = {
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      types: request.types ?? null,
      topic: request.topic,
      ratePerSecond: request.ratePerSecond ?? null,
      partitions: request.partitions ?? null,
    };
    const r = await this.options.pool.query<Row>(
      `INSERT INTO ${OPS_SCHEMA}.replay_jobs (request, state, total, requested_by) VALUES ($1::jsonb, 'running', $2, $3) RETURNING ${COLUMNS}`,
      [JSON.stringify(stored), total, requestedBy],
    );
    const job = toJob(r.rows[0] as Row);
    const abort = new AbortController();
    let lastWrite = 0;
    const every = this.options.progressEveryMs ?? 500;
    const write = (p: ReplayProgress): Promise<unknown> =>
      this.options.pool.query(`UPDATE ${OPS_SCHEMA}.replay_jobs SET published = $2, total = $3, rate = $4, updated_at = now() WHERE id = $1 AND state = 'running'`, [
        job.id,
        p.published,
        Math.max(p.total, p.published),
        p.ratePerSecond,
      ]);
    // A heartbeat while a slow send or a rate limit keeps progress still.
    const heartbeat = setInterval(() => {
      void this.options.pool.query(`UPDATE ${OPS_SCHEMA}.replay_jobs SET updated_at = now() WHERE id = $1 AND state = 'running'`, [job.id]).catch(() => undefined);
    }, Math.max(every, 1_000));
    heartbeat.unref();
    const promise = (async () => {
      try {
        const result = await service.run(request, {
          signal: abort.signal,
          onProgress: (p) => {
            if (Date.now() - lastWrite < every) return;
            lastWrite = Date.now();
            void write(p).catch(() => undefined);
          },
        });
        await this.options.pool.query(
          `UPDATE ${OPS_SCHEMA}.replay_jobs SET state = $2, published = $3, total = $4, rate = $5, finished_at = now(), updated_at = now() WHERE id = $1`,
          [job.id, result.cancelled ? 'cancelled' : 'done', result.published, result.cancelled ? result.total : result.published, result.ratePerSecond],
        );
      } catch (e) {
        await this.options.pool
          .query(`UPDATE ${OPS_SCHEMA}.replay_jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`, [
            job.id,
            e instanceof Error ? e.message : String(e),
          ])
          .catch(() => undefined);
        onError(e);
      } finally {
        clearInterval(heartbeat);
        this.background.delete(job.id);
      }
    })();
    this.background.set(job.id, { promise, abort });
    return job;
  }

  async get(id: string): Promise<ReplayJob> {
    const r = UUID.test(id) ? await this.options.pool.query<Row>(`SELECT ${COLUMNS} FROM ${OPS_SCHEMA}.replay_jobs WHERE id = $1`, [id]) : { rows: [] };
    const row = r.rows[0];
    if (!row) throw new OpsError(OpsErrorCode.JobNotFound, `no replay job ${id}`);
    return toJob(row);
  }

  /** Marks running jobs nobody has updated for `staleAfterMs` (their process died) as failed; returns their ids. */
  async failOrphans(): Promise<string[]> {
    const r = await this.options.pool.query<{ id: string }>(
      `UPDATE ${OPS_SCHEMA}.replay_jobs SET state = 'failed', finished_at = now(), updated_at = now(),
         error = 'interrupted: the process running this replay stopped after publishing ' || published || ' of ' || total || ' events; start it again (the consumer sees those again)'
       WHERE state = 'running' AND updated_at < now() - make_interval(secs => $1) AND NOT (id = ANY($2::uuid[]))
       RETURNING id::text AS id`,
      [(this.options.staleAfterMs ?? 30_000) / 1000, [...this.background.keys()]],
    );
    return r.rows.map((x) => x.id);
  }

  /** Stops this process's replays (shutdown): each ends as cancelled. */
  async drain(): Promise<void> {
    for (const { abort } of this.background.values()) abort.abort();
    await Promise.allSettled([...this.background.values()].map((b) => b.promise));
  }
}
