import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './1764320000000-read-models-init';

/**
 * The trace of each derived event (issue 7): `derived_outbox.trace`, the W3C `traceparent`
 * (and correlation id) of what caused it — the source event's `metadata.trace`, or the trace a
 * clock sweep started — as `{ traceparent, correlationId? }`. Nullable: rows written before
 * this column, and events with no recorded cause trace, have none (the relay starts a new
 * trace when it publishes them). Adding a nullable column without a default rewrites nothing.
 */
export class DerivedOutboxTrace1764700000000 implements MigrationInterface {
  name = 'DerivedOutboxTrace1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.derived_outbox ADD COLUMN IF NOT EXISTS trace jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.derived_outbox DROP COLUMN IF EXISTS trace`);
  }
}
