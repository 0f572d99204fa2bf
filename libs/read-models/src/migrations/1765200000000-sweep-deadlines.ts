import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './1764320000000-read-models-init';

/**
 * When each clock sweeper (`sweep`: churn, segments) next needs to look at a customer: the
 * deadline its last evaluation computed (null: nothing it evaluates depends on the clock),
 * valid while the customer's row is the one it was computed from (`row_updated_at`, rewritten
 * by every write of the row) and the rules are the same (`rules`, a fingerprint of what the
 * sweeper evaluates with). A sweep passes over every other customer without reading its state.
 */
export class SweepDeadlines1765200000000 implements MigrationInterface {
  name = 'SweepDeadlines1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.sweep_deadlines (
      sweep text NOT NULL, customer_id text NOT NULL, due_at timestamptz, row_updated_at timestamptz NOT NULL, rules text NOT NULL,
      PRIMARY KEY (sweep, customer_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.sweep_deadlines`);
  }
}
