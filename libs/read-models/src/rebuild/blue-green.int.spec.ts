import { createTestDatabase, type TestDatabase } from '@c360/testing';
import type { DataSource } from 'typeorm';
import { createReadModelDataSource, migrateReadModels } from '../data-source';
import { liveRowsAhead, readCheckpoints, swapShadowIn, type ShadowPlan } from './blue-green';
import { projectionTableSet } from './projection-tables';

/**
 * The swap's second condition (the first: shadow checkpoints at or past the live ones): no
 * live customer_360 row may know an event its shadow row lacks. A merge survivor is re-folded
 * from its streams as they are at that moment, so its live row can hold events beyond the live
 * checkpoints; swapping in a shadow that is merely "past the checkpoints" moved such a row back
 * (seen once under load in the F2/I6 rebuild-under-traffic test: a revision 37 → 36).
 */
describe('blue/green swap: the shadow must hold everything the live rows show (PostgreSQL)', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];
  const tables = projectionTableSet('customer-360');
  if (!tables) throw new Error('customer-360 has no table set');
  const plan: ShadowPlan = { projection: 'customer-360', live: 'bg_live', shadow: 'bg_shadow', retired: 'bg_retired', tables };

  const row = (id: string, lastRevision: number, byStream: Record<string, number>, mergedFrom: string[] = []) => ({
    id,
    lastRevision,
    state: JSON.stringify({ customerId: id, position: { lastRevision, byStream, eventCount: lastRevision + 1 } }),
    mergedFrom,
  });
  type Row = ReturnType<typeof row>;
  const put = async (schema: string, rows: readonly Row[]): Promise<void> => {
    await db.pool.query(`DELETE FROM ${schema}.customer_360`);
    for (const r of rows)
      await db.pool.query(
        `INSERT INTO ${schema}.customer_360 (customer_id, last_revision, state, tier, relationship_value_minor, churn_risk_score, merged_from)
         VALUES ($1, $2, $3::jsonb, 'mass', 0, 0, $4::text[])`,
        [r.id, r.lastRevision, r.state, r.mergedFrom],
      );
  };
  const checkpoints = async (schema: string, position: bigint): Promise<void> => {
    await db.pool.query(`DELETE FROM ${schema}.projection_checkpoints`);
    await db.pool.query(
      `INSERT INTO ${schema}.projection_checkpoints (projection, partition, position, partition_count) SELECT 'customer-360', p, $1, 2 FROM generate_series(0, 1) p`,
      [position.toString()],
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'c360_bluegreen' });
    for (const schema of [plan.live, plan.shadow]) {
      const ds = createReadModelDataSource({ url: db.url, schema, poolMax: 2 });
      sources.push(ds);
      await migrateReadModels(ds);
    }
  });
  afterAll(async () => {
    for (const ds of sources) if (ds.isInitialized) await ds.destroy();
    await db.drop();
  });

  const same = [row('A', 3, { 'customer-A': 3 }), row('S', 4, { 'customer-S': 4, 'customer-M': 2 }, ['M'])];

  it('finds nothing when the shadow holds every row as far as live, or further', async () => {
    await put(plan.live, same);
    await put(plan.shadow, [row('A', 5, { 'customer-A': 5 }), row('S', 4, { 'customer-S': 4, 'customer-M': 3 }, ['M']), row('B', 0, { 'customer-B': 0 })]);
    expect(await liveRowsAhead(db.pool, plan)).toEqual([]);
  });

  it('names a row the shadow lacks, a higher own revision, and a survivor ahead on a stream merged into it', async () => {
    await put(plan.live, [...same, row('C', 0, { 'customer-C': 0 })]);
    await put(plan.shadow, [row('A', 2, { 'customer-A': 2 }), row('S', 4, { 'customer-S': 4, 'customer-M': 1 }, ['M'])]);
    expect(await liveRowsAhead(db.pool, plan)).toEqual(['A', 'C', 'S']);
  });

  it('refuses the swap (nothing moves) while a live row is ahead, though the checkpoints would allow it; swaps once the shadow caught up', async () => {
    await put(plan.live, same);
    await put(plan.shadow, [row('A', 3, { 'customer-A': 3 }), row('S', 4, { 'customer-S': 4, 'customer-M': 1 }, ['M'])]);
    await checkpoints(plan.live, 100n);
    await checkpoints(plan.shadow, 120n);
    const settleShadow = async () => readCheckpoints(db.pool, plan.shadow, plan.projection);
    const refused = await swapShadowIn(db.pool, plan, { lockTimeoutMs: 2_000, settleShadow });
    expect(refused).toEqual({ swapped: false, reason: 'shadow-behind' });
    const liveState = await db.pool.query<{ rev: string }>(`SELECT (state->'position'->'byStream'->>'customer-M') AS rev FROM ${plan.live}.customer_360 WHERE customer_id = 'S'`);
    expect(liveState.rows[0]?.rev).toBe('2'); // the live copy is untouched

    await put(plan.shadow, [row('A', 3, { 'customer-A': 3 }), row('S', 5, { 'customer-S': 5, 'customer-M': 2 }, ['M'])]);
    const swapped = await swapShadowIn(db.pool, plan, { lockTimeoutMs: 2_000, settleShadow });
    expect(swapped.swapped).toBe(true);
    const after = await db.pool.query<{ id: string; rev: string }>(`SELECT customer_id AS id, last_revision::text AS rev FROM ${plan.live}.customer_360 ORDER BY 1`);
    expect(after.rows).toEqual([
      { id: 'A', rev: '3' },
      { id: 'S', rev: '5' },
    ]);
  });
});
