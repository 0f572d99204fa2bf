import type { ChurnConfigOverrides, Customer360State, SegmentDefinition } from '@c360/customer-domain';
import type {
  ChurnRuleRecord,
  CustomerPageQuery,
  CustomerSnapshot,
  DerivedEvent,
  DerivedStore,
  DerivedTrace,
  DerivedTransaction,
  PendingOutboxMessage,
  RuleStatus,
  SegmentDefinitionRecord,
  ShadowChange,
  ShadowChangeKind,
  ShadowChangeRow,
  ShadowRunKind,
  ShadowRunRecord,
} from './derived-store.types';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_TRANSACTION_TIMEOUTS, type TransactionTimeouts } from '../projection-store/typeorm-projection-store';
import { assertReadModelSchema, DEFAULT_READ_MODEL_SCHEMA } from '../schema-name';
import { decodeDocument } from '../state-codec';
import { derivedRepositories, iso } from './derived.typeorm-repositories';

const isoOf = (v: Date | string): string => new Date(v).toISOString();

export interface TypeOrmDerivedStoreOptions {
  readonly schema?: string;
  readonly timeouts?: Partial<TransactionTimeouts>;
}

/** The DerivedStore port on the read-model schema (segments, churn, outbox, shadow runs). */
export class TypeOrmDerivedStore implements DerivedStore {
  readonly schema: string;
  private readonly timeouts: TransactionTimeouts;

  constructor(
    private readonly dataSource: DataSource,
    options: TypeOrmDerivedStoreOptions = {},
  ) {
    this.schema = assertReadModelSchema(options.schema ?? DEFAULT_READ_MODEL_SCHEMA);
    this.timeouts = { ...DEFAULT_TRANSACTION_TIMEOUTS, ...options.timeouts };
  }

  transaction<T>(work: (tx: DerivedTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      const t = this.timeouts;
      await manager.query(
        `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true),
                set_config('idle_in_transaction_session_timeout', $3, true)`,
        [`${t.lockTimeoutMs}ms`, `${t.statementTimeoutMs}ms`, `${t.idleInTransactionTimeoutMs}ms`],
      );
      return work(this.bind(manager));
    });
  }

  async exclusive<T>(job: string, work: () => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `c360:${this.schema}:${job}`;
    try {
      const rows = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [key])) as Array<{ ok: boolean }>;
      if (rows[0]?.ok !== true) return null;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  private bind(manager: EntityManager): DerivedTransaction {
    const s = this.schema;
    const q = <R>(sql: string, params: unknown[] = []): Promise<R[]> => manager.query<R[]>(sql, params);
    type DefRow = { definition: SegmentDefinition; status: RuleStatus; created_at: Date; activated_at: Date | null };
    const defRecord = (r: DefRow): SegmentDefinitionRecord => ({
      definition: r.definition,
      status: r.status,
      createdAt: isoOf(r.created_at),
      activatedAt: iso(r.activated_at),
    });
    type ChurnRow = { version: number; overrides: ChurnConfigOverrides; status: RuleStatus; created_at: Date; activated_at: Date | null };
    const churnRecord = (r: ChurnRow): ChurnRuleRecord => ({
      version: r.version,
      overrides: r.overrides,
      status: r.status,
      createdAt: isoOf(r.created_at),
      activatedAt: iso(r.activated_at),
    });
    type RunRow = {
      run_id: string;
      kind: ShadowRunKind;
      target: string;
      version: number;
      status: ShadowRunRecord['status'];
      customers: number;
      entering: number;
      leaving: number;
      started_at: Date;
      finished_at: Date | null;
      error: string | null;
    };
    return {
      ...derivedRepositories(manager, s),
      customers: {
        async page(query: CustomerPageQuery): Promise<CustomerSnapshot[]> {
          const where: string[] = [];
          const params: unknown[] = [query.limit];
          if (query.after !== null) {
            params.push(query.after);
            where.push(`c.customer_id > $${params.length}`);
          }
          if (query.survivorsOnly === true) where.push('c.merged_into IS NULL');
          if (query.dueBy !== undefined) {
            params.push(query.dueBy.sweep, query.dueBy.now, query.dueBy.rules);
            const n = params.length;
            where.push(`NOT EXISTS (SELECT 1 FROM ${s}.sweep_deadlines d WHERE d.sweep = $${n - 2} AND d.customer_id = c.customer_id
              AND (d.due_at IS NULL OR d.due_at > $${n - 1}::timestamptz)
              AND d.row_updated_at = c.updated_at AND d.rules = $${n})`);
          }
          const rows = await q<{ customer_id: string; last_revision: string; state: unknown; churn_risk_score: number }>(
            `SELECT c.customer_id, c.last_revision::text AS last_revision, c.state, c.churn_risk_score FROM ${s}.customer_360 c
              ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
              ORDER BY c.customer_id LIMIT $1 ${query.lock ? 'FOR UPDATE OF c' : ''}`,
            params,
          );
          return rows.map((r) => ({
            customerId: r.customer_id,
            lastRevision: Number(r.last_revision),
            state: decodeDocument<Customer360State>(r.state),
            churnRiskScore: r.churn_risk_score,
          }));
        },
      },
      sweepDeadlines: {
        async set(sweep, deadlines, rules) {
          if (deadlines.length === 0) return;
          await q(
            `INSERT INTO ${s}.sweep_deadlines (sweep, customer_id, due_at, row_updated_at, rules)
             SELECT $1, c.customer_id, d.due_at, c.updated_at, $4
               FROM unnest($2::text[], $3::timestamptz[]) AS d(customer_id, due_at) JOIN ${s}.customer_360 c ON c.customer_id = d.customer_id
             ON CONFLICT (sweep, customer_id) DO UPDATE SET due_at = EXCLUDED.due_at, row_updated_at = EXCLUDED.row_updated_at, rules = EXCLUDED.rules`,
            [sweep, deadlines.map((d) => d.customerId), deadlines.map((d) => d.dueAt), rules],
          );
        },
      },
      segmentDefinitions: {
        list: async () =>
          (await q<DefRow>(`SELECT definition, status, created_at, activated_at FROM ${s}.segment_definitions ORDER BY id, version`)).map(
            defRecord,
          ),
        get: async (id, version) => {
          const rows = await q<DefRow>(
            `SELECT definition, status, created_at, activated_at FROM ${s}.segment_definitions WHERE id = $1 AND version = $2`,
            [id, version],
          );
          return rows[0] ? defRecord(rows[0]) : null;
        },
        latestVersion: async (id) => {
          const rows = await q<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.segment_definitions WHERE id = $1`, [id]);
          return rows[0]?.v ?? null;
        },
        insert: async (definition, status) => {
          await q(
            `INSERT INTO ${s}.segment_definitions (id, version, status, definition, activated_at)
             VALUES ($1, $2, $3, $4::jsonb, CASE WHEN $3 = 'active' THEN now() END)`,
            [definition.id, definition.version, status, JSON.stringify(definition)],
          );
        },
        setStatus: async (id, version, status) => {
          if (status === 'active')
            await q(`UPDATE ${s}.segment_definitions SET status = 'retired', retired_at = now() WHERE id = $1 AND status = 'active'`, [id]);
          await q(
            `UPDATE ${s}.segment_definitions SET status = $3,
               activated_at = CASE WHEN $3 = 'active' THEN now() ELSE activated_at END,
               retired_at = CASE WHEN $3 = 'retired' THEN now() ELSE retired_at END
             WHERE id = $1 AND version = $2`,
            [id, version, status],
          );
        },
      },
      churnRules: {
        list: async () =>
          (await q<ChurnRow>(`SELECT version, overrides, status, created_at, activated_at FROM ${s}.churn_rule_versions ORDER BY version`)).map(
            churnRecord,
          ),
        get: async (version) => {
          const rows = await q<ChurnRow>(
            `SELECT version, overrides, status, created_at, activated_at FROM ${s}.churn_rule_versions WHERE version = $1`,
            [version],
          );
          return rows[0] ? churnRecord(rows[0]) : null;
        },
        latestVersion: async () => (await q<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.churn_rule_versions`))[0]?.v ?? 0,
        insert: async (version, overrides, status) => {
          await q(
            `INSERT INTO ${s}.churn_rule_versions (version, status, overrides, activated_at)
             VALUES ($1, $2, $3::jsonb, CASE WHEN $2 = 'active' THEN now() END)`,
            [version, status, JSON.stringify(overrides)],
          );
        },
        setStatus: async (version, status) => {
          if (status === 'active') await q(`UPDATE ${s}.churn_rule_versions SET status = 'retired', retired_at = now() WHERE status = 'active'`);
          await q(
            `UPDATE ${s}.churn_rule_versions SET status = $2,
               activated_at = CASE WHEN $2 = 'active' THEN now() ELSE activated_at END,
               retired_at = CASE WHEN $2 = 'retired' THEN now() ELSE retired_at END
             WHERE version = $1`,
            [version, status],
          );
        },
      },
      shadowRuns: {
        create: async (kind, target, version) =>
          (await q<{ run_id: string }>(
            `INSERT INTO ${s}.shadow_runs (kind, target, version, status) VALUES ($1, $2, $3, 'running') RETURNING run_id`,
            [kind, target, version],
          ))[0]?.run_id ?? '',
        addChanges: async (runId: string, changes: readonly ShadowChange[]) => {
          if (changes.length === 0) return;
          await q(
            `INSERT INTO ${s}.shadow_run_changes (run_id, customer_id, subject, change, reason)
             SELECT $1, c.customer_id, c.subject, c.change, c.reason
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS c(customer_id, subject, change, reason, n)
              ORDER BY c.n ON CONFLICT DO NOTHING`,
            [runId, changes.map((c) => c.customerId), changes.map((c) => c.subject), changes.map((c) => c.change), changes.map((c) => c.reason)],
          );
        },
        finish: async (runId, result) => {
          await q(
            `UPDATE ${s}.shadow_runs SET status = $5, customers = $2, entering = $3, leaving = $4, error = $6, finished_at = now()
              WHERE run_id = $1`,
            [runId, result.customers, result.entering, result.leaving, result.error === undefined ? 'done' : 'failed', result.error ?? null],
          );
        },
        get: async (runId) => {
          const rows = await q<RunRow>(`SELECT * FROM ${s}.shadow_runs WHERE run_id = $1`, [runId]);
          const r = rows[0];
          if (!r) return null;
          return {
            runId: r.run_id,
            kind: r.kind,
            target: r.target,
            version: r.version,
            status: r.status,
            customers: r.customers,
            entering: r.entering,
            leaving: r.leaving,
            startedAt: isoOf(r.started_at),
            finishedAt: iso(r.finished_at),
            error: r.error,
          };
        },
        changes: async (runId, query: { after: string | null; limit: number; change?: ShadowChangeKind }): Promise<ShadowChangeRow[]> => {
          const rows = await q<{ seq: string; customer_id: string; subject: string; change: ShadowChangeKind; reason: string }>(
            `SELECT seq::text AS seq, customer_id, subject, change, reason FROM ${s}.shadow_run_changes
              WHERE run_id = $1 AND seq > $2::bigint AND ($3::text IS NULL OR change = $3) ORDER BY seq LIMIT $4`,
            [runId, query.after ?? '0', query.change ?? null, query.limit],
          );
          return rows.map((r) => ({ seq: r.seq, customerId: r.customer_id, subject: r.subject, change: r.change, reason: r.reason }));
        },
      },
      outboxRelay: {
        claim: async (limit): Promise<PendingOutboxMessage[]> => {
          const rows = await q<{ seq: string; event_id: string; topic: string; key: string; payload: DerivedEvent; trace: DerivedTrace | null }>(
            `SELECT seq::text AS seq, event_id::text AS event_id, topic, key, payload, trace FROM ${s}.derived_outbox
              WHERE sent_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
            [limit],
          );
          return rows.map((r) => ({
            seq: r.seq,
            eventId: r.event_id,
            topic: r.topic,
            key: r.key,
            event: r.payload,
            ...(r.trace === null ? {} : { trace: r.trace }),
          }));
        },
        markSent: async (seqs) => {
          if (seqs.length > 0) await q(`UPDATE ${s}.derived_outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])`, [[...seqs]]);
        },
      },
    };
  }
}
