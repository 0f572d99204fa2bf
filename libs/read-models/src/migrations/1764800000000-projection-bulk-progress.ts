import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './1764320000000-read-models-init';

/**
 * Bulk catch-up (ProjectionRunner): a projection starting from nothing folds the history up to
 * a head position stream by stream, writing each customer's rows once. This row says how far
 * that pass got (the last stream done), committed with each chunk, so a crashed pass resumes
 * where it stopped; it is deleted in the transaction that moves the checkpoints to `up_to`.
 */
export class ProjectionBulkProgress1764800000000 implements MigrationInterface {
  name = 'ProjectionBulkProgress1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${s}.projection_bulk_progress (
      projection text PRIMARY KEY,
      up_to numeric(40, 0) NOT NULL CHECK (up_to > 0),
      after_stream text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.projection_bulk_progress`);
  }
}
