import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './1764320000000-read-models-init';

/**
 * customer_360 rows are rewritten on every batch that touches the customer. Two things kept
 * every such update from being a heap-only (HOT) update, which writes no index entries:
 *  - an index on `updated_at` (set to now() by every upsert, so an indexed column always
 *    changed) that no query uses;
 *  - full pages (fillfactor 100), leaving no room beside the old row version.
 * Dropped, and pages filled to 80%: an update that moves no indexed column (most interaction
 * events change the state and last_event_at only) now writes the heap and TOAST alone.
 * The fillfactor applies to pages written from now on (existing pages keep theirs until the
 * table is rewritten, e.g. by a rebuild).
 */
export class Customer360HotUpdates1764900000000 implements MigrationInterface {
  name = 'Customer360HotUpdates1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}.customer_360_updated_idx`);
    await queryRunner.query(`ALTER TABLE ${s}.customer_360 SET (fillfactor = 80)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.customer_360 RESET (fillfactor)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS customer_360_updated_idx ON ${s}.customer_360 (updated_at)`);
  }
}
