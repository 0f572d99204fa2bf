import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './1764320000000-read-models-init';

/**
 * When the clock sweeper next needs to look at a customer: the deadline its last evaluation
 * computed (null: nothing in its flags depends on the clock), valid while the customer's row
 * is the one it was computed from (`row_updated_at`, rewritten by every write of the row) and
 * the churn rules are the same (`rules`, a fingerprint of the effective thresholds). A sweep
 * passes over every other customer without reading its state.
 */
export class ChurnSweepDeadlines1765200000000 implements MigrationInterface {
  name = 'ChurnSweepDeadlines1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.churn_sweep_deadlines (
      customer_id text PRIMARY KEY, due_at timestamptz, row_updated_at timestamptz NOT NULL, rules text NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.churn_sweep_deadlines`);
  }
}
