import { CUSTOMER_STREAM_PREFIX } from '@c360/contracts';
import type { EventStore } from '@c360/event-store';
import type { ProjectionDefinition } from '@c360/projections';
import {
  createReadModelDataSource,
  lowestCheckpoint,
  projectionTableSet,
  readCheckpoints,
  refoldCustomers,
  type ReadModelRepositories,
} from '@c360/read-models';
import type { Pool } from 'pg';
import type { EventStoreStats } from '../event-store-stats';

/** Why a customer's row disagrees with the store. */
export type Disagreement =
  | 'missing-row' // stored events, no read-model row
  | 'behind' // the row's last revision is below what the checkpoint says was applied
  | 'ahead' // the row claims revisions the store does not have up to the checkpoint
  | 'count-mismatch' // number of applied events differs from the stored count
  | 'orphan-row' // a row for a customer with no stored events
  | 'row-differs'; // a refold from the store gives another row (tampered or stale columns)

export interface CustomerFinding {
  readonly projection: string;
  readonly customerId: string;
  readonly problem: Disagreement;
  readonly detail: string;
}

export interface ProjectionVerification {
  readonly projection: string;
  readonly checkedCustomers: number;
  /** Checkpoint range the comparison used (lowest and highest partition). */
  readonly upTo: { readonly lowest: string; readonly highest: string };
  readonly deepChecked: number;
  readonly findings: readonly CustomerFinding[];
}

export interface VerifyOptions {
  /** Refold customers from the store in a rolled-back transaction and compare every column: 'all', a sample size, or 0. */
  readonly deep: 'all' | number;
}

export interface VerifyServiceOptions {
  readonly pool: Pool;
  readonly stats: EventStoreStats;
  readonly readModelSchema: string;
  readonly definitions: readonly ProjectionDefinition<ReadModelRepositories>[];
  readonly databaseUrl: string;
  readonly eventStore: EventStore;
}

interface RowFacts {
  customer_id: string;
  last_revision: string;
  event_count: number | null;
  merged: boolean;
}

/**
 * Store ↔ read models: every stored event (up to the projection's checkpoints) is reflected in
 * the customer's row — last revision and event count reconciled per customer — and, deep, a
 * refold from the store equals the row. Names every customer that disagrees.
 */
export class VerifyService {
  constructor(private readonly options: VerifyServiceOptions) {}

  async readModels(options: VerifyOptions = { deep: 0 }): Promise<ProjectionVerification[]> {
    const out: ProjectionVerification[] = [];
    for (const definition of this.options.definitions) out.push(await this.projection(definition, options));
    return out;
  }

  private async projection(definition: ProjectionDefinition<ReadModelRepositories>, options: VerifyOptions): Promise<ProjectionVerification> {
    const { pool, stats, readModelSchema: s } = this.options;
    const checkpoints = await readCheckpoints(pool, s, definition.name);
    const lowest = lowestCheckpoint(checkpoints);
    const highest = [...checkpoints.values()].reduce((a, b) => (b > a ? b : a), 0n);
    const atLowest = await stats.streamsUpTo(definition.eventTypes, lowest, CUSTOMER_STREAM_PREFIX);
    const atHighest = highest === lowest ? atLowest : await stats.streamsUpTo(definition.eventTypes, highest, CUSTOMER_STREAM_PREFIX);
    const rows = (
      await pool.query<RowFacts>(
        `SELECT customer_id, last_revision::text AS last_revision, (state->'position'->>'eventCount')::int AS event_count,
                (merged_into IS NOT NULL OR cardinality(merged_from) > 0) AS merged
           FROM ${s}.customer_360`,
      )
    ).rows;
    const findings: CustomerFinding[] = [];
    const found = (customerId: string, problem: Disagreement, detail: string): void => {
      findings.push({ projection: definition.name, customerId, problem, detail });
    };
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.customer_id);
      const low = atLowest.get(row.customer_id);
      const high = atHighest.get(row.customer_id);
      const revision = Number(row.last_revision);
      if (!high) {
        if (revision >= 0) found(row.customer_id, 'orphan-row', `row at revision ${revision} but no stored events`);
        continue;
      }
      const minRevision = low?.lastRevision ?? -1;
      if (revision < minRevision) found(row.customer_id, 'behind', `row at revision ${revision}, store has ${minRevision} applied by the checkpoint`);
      else if (!row.merged && revision > high.lastRevision) found(row.customer_id, 'ahead', `row at revision ${revision}, store has only ${high.lastRevision}`);
      else if (!row.merged && row.event_count !== null && (row.event_count < (low?.events ?? 0) || row.event_count > high.events))
        found(row.customer_id, 'count-mismatch', `row counts ${row.event_count} events, store has ${low?.events ?? 0}–${high.events}`);
    }
    for (const [customerId, facts] of atLowest)
      if (!seen.has(customerId)) found(customerId, 'missing-row', `${facts.events} stored events up to revision ${facts.lastRevision}, no row`);
    const deepChecked = await this.deep(definition, options, rows, findings);
    return {
      projection: definition.name,
      checkedCustomers: new Set([...seen, ...atLowest.keys()]).size,
      upTo: { lowest: lowest.toString(), highest: highest.toString() },
      deepChecked,
      findings: findings.sort((a, b) => a.customerId.localeCompare(b.customerId)),
    };
  }

  private async deep(
    definition: ProjectionDefinition<ReadModelRepositories>,
    options: VerifyOptions,
    rows: readonly RowFacts[],
    findings: CustomerFinding[],
  ): Promise<number> {
    const tables = projectionTableSet(definition.name);
    if (options.deep === 0 || !tables) return 0;
    const flagged = new Set(findings.map((f) => f.customerId));
    const candidates = rows.map((r) => r.customer_id).filter((id) => !flagged.has(id));
    const customers = options.deep === 'all' ? candidates : sample(candidates, options.deep);
    const ds = createReadModelDataSource({ url: this.options.databaseUrl, schema: this.options.readModelSchema, poolMax: 2, applicationName: 'c360-verify' });
    await ds.initialize();
    try {
      for (let i = 0; i < customers.length; i += 100) {
        const refolds = await refoldCustomers(ds, {
          schema: this.options.readModelSchema,
          definition,
          tables,
          customers: customers.slice(i, i + 100),
          streams: { readStream: (id) => this.options.eventStore.readStream(id) },
          dryRun: true,
        });
        for (const r of refolds)
          // A newer revision after the refold is lag (events beyond the checkpoint), not a disagreement.
          if (r.revisionBefore === r.revisionAfter && r.changedTables.length > 0)
            findings.push({
              projection: definition.name,
              customerId: r.customerId,
              problem: 'row-differs',
              detail: `a refold from the store changes ${r.changedTables.join(', ')}${r.changedColumns.length ? ` (customer_360: ${r.changedColumns.join(', ')})` : ''}`,
            });
      }
    } finally {
      await ds.destroy();
    }
    return customers.length;
  }
}

function sample<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}
