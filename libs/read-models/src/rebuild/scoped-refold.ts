import { customerStreamId } from '@c360/contracts';
import type { RecordedEvent } from '@c360/event-store';
import type { ProjectionDefinition, StreamReader } from '@c360/projections';
import type { DataSource, EntityManager } from 'typeorm';
import { Customer360TypeOrmRepository } from '../customer-360/customer-360.typeorm-repository';
import { derivedRepositories } from '../derived/derived.typeorm-repositories';
import type { ReadModelRepositories } from '../projection-store/typeorm-projection-store';
import { assertReadModelSchema } from '../schema-name';
import type { ProjectionTableSet } from './projection-tables';

/** What a scoped refold changed (or, dry run, would change) for one customer. */
export interface CustomerRefold {
  readonly customerId: string;
  readonly events: number;
  /** Owned tables whose rows for the customer differ after the refold. */
  readonly changedTables: readonly string[];
  /** customer_360 columns that differ (volatile updated_at excluded). */
  readonly changedColumns: readonly string[];
  readonly revisionBefore: number | null;
  readonly revisionAfter: number | null;
}

export interface ScopedRefoldOptions {
  readonly schema: string;
  readonly definition: ProjectionDefinition<ReadModelRepositories>;
  readonly tables: ProjectionTableSet;
  readonly customers: readonly string[];
  readonly streams: StreamReader;
  /** Compute the difference, then roll back. */
  readonly dryRun: boolean;
}

const VOLATILE = new Set(['updated_at', 'recorded_at']);
const C360_COLUMNS = ['last_revision', 'state', 'tier', 'region', 'relationship_value_minor', 'churn_risk_score', 'merged_into', 'merged_from', 'last_event_at'];

class DryRunRollback extends Error {}

async function snapshot(manager: EntityManager, schema: string, tables: ProjectionTableSet, customerId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { table, customerColumn } of tables.owned) {
    if (customerColumn === null) continue;
    const exists = await manager.query<Array<{ ok: boolean }>>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${schema}.${table}`]);
    if (exists[0]?.ok !== true) continue;
    const rows = await manager.query<Array<{ r: Record<string, unknown> }>>(`SELECT to_jsonb(t) AS r FROM ${schema}.${table} t WHERE ${customerColumn} = $1`, [customerId]);
    const cleaned = rows.map((row) => JSON.stringify(Object.fromEntries(Object.entries(row.r).filter(([k]) => !VOLATILE.has(k))))).sort();
    out.set(table, cleaned.join('\n'));
  }
  return out;
}

async function c360Row(manager: EntityManager, schema: string, customerId: string): Promise<Record<string, unknown> | null> {
  const rows = await manager.query<Array<{ r: Record<string, unknown> }>>(`SELECT to_jsonb(c) AS r FROM ${schema}.customer_360 c WHERE customer_id = $1`, [customerId]);
  return rows[0]?.r ?? null;
}

/**
 * Refolds a set of customers in place, in one transaction on the live schema: their rows in
 * every owned table are deleted and the projection folds their whole stream again. Rows are
 * locked first, so a live batch touching the same customer waits and then skips what the
 * refold already holds (by revision). With `dryRun`, the difference is reported and the
 * transaction rolled back.
 */
export async function refoldCustomers(dataSource: DataSource, options: ScopedRefoldOptions): Promise<CustomerRefold[]> {
  const schema = assertReadModelSchema(options.schema);
  const results: CustomerRefold[] = [];
  try {
    await dataSource.transaction('READ COMMITTED', async (manager) => {
      const repositories: ReadModelRepositories = { customer360: new Customer360TypeOrmRepository(manager, schema), ...derivedRepositories(manager, schema) };
      for (const customerId of options.customers) {
        await manager.query(`SELECT 1 FROM ${schema}.customer_360 WHERE customer_id = $1 FOR UPDATE`, [customerId]);
        const before = await snapshot(manager, schema, options.tables, customerId);
        const rowBefore = await c360Row(manager, schema, customerId);
        for (const { table, customerColumn } of options.tables.owned)
          if (customerColumn !== null && before.has(table)) await manager.query(`DELETE FROM ${schema}.${table} WHERE ${customerColumn} = $1`, [customerId]);
        const events: RecordedEvent[] = [];
        const types = new Set(options.definition.eventTypes);
        for await (const e of options.streams.readStream(customerStreamId(customerId)))
          if (types.has(e.type) && options.definition.identity(e) === customerId) events.push(e);
        const last = events[events.length - 1];
        if (last) await options.definition.apply({ customerId, events }, { repositories, streams: options.streams, batchEnd: last.globalPosition });
        const after = await snapshot(manager, schema, options.tables, customerId);
        const rowAfter = await c360Row(manager, schema, customerId);
        results.push({
          customerId,
          events: events.length,
          changedTables: [...new Set([...before.keys(), ...after.keys()])].filter((t) => (before.get(t) ?? '') !== (after.get(t) ?? '')),
          changedColumns: C360_COLUMNS.filter((c) => JSON.stringify(rowBefore?.[c] ?? null) !== JSON.stringify(rowAfter?.[c] ?? null)),
          revisionBefore: rowBefore === null ? null : Number(rowBefore['last_revision']),
          revisionAfter: rowAfter === null ? null : Number(rowAfter['last_revision']),
        });
      }
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
  }
  return results;
}
