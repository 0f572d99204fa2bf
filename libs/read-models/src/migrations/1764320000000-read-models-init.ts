import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertReadModelSchema, DEFAULT_READ_MODEL_SCHEMA } from '../schema-name';

/** The migration's target: the DataSource's schema (live or a rebuild's shadow). */
export const schemaOf = (queryRunner: QueryRunner): string =>
  assertReadModelSchema((queryRunner.connection.options as { schema?: string }).schema ?? DEFAULT_READ_MODEL_SCHEMA);

/** Checkpoints, leases, workers, customer_360 and customer_identity. */
export class ReadModelsInit1764320000000 implements MigrationInterface {
  name = 'ReadModelsInit1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await queryRunner.query(`CREATE TABLE ${s}.projection_checkpoints (
      projection text NOT NULL, partition int NOT NULL,
      position numeric(40,0) NOT NULL DEFAULT 0, partition_count int NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, partition))`);
    await queryRunner.query(`CREATE TABLE ${s}.projection_leases (
      projection text NOT NULL, partition int NOT NULL, owner text,
      epoch bigint NOT NULL DEFAULT 0, expires_at timestamptz,
      PRIMARY KEY (projection, partition))`);
    await queryRunner.query(`CREATE TABLE ${s}.projection_workers (
      projection text NOT NULL, worker_id text NOT NULL, expires_at timestamptz NOT NULL,
      PRIMARY KEY (projection, worker_id))`);
    await queryRunner.query(`CREATE TABLE ${s}.customer_360 (
      customer_id text PRIMARY KEY, last_revision bigint NOT NULL, state jsonb NOT NULL,
      tier text NOT NULL, region text, relationship_value_minor bigint NOT NULL,
      churn_risk_score smallint NOT NULL, merged_into text, merged_from text[] NOT NULL DEFAULT '{}',
      last_event_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now())`);
    await queryRunner.query(`CREATE INDEX customer_360_tier_idx ON ${s}.customer_360 (tier, relationship_value_minor DESC)`);
    await queryRunner.query(`CREATE INDEX customer_360_region_idx ON ${s}.customer_360 (region)`);
    await queryRunner.query(`CREATE INDEX customer_360_value_idx ON ${s}.customer_360 (relationship_value_minor DESC)`);
    await queryRunner.query(`CREATE INDEX customer_360_churn_idx ON ${s}.customer_360 (churn_risk_score DESC)`);
    await queryRunner.query(`CREATE INDEX customer_360_updated_idx ON ${s}.customer_360 (updated_at)`);
    await queryRunner.query(`CREATE INDEX customer_360_merged_from_idx ON ${s}.customer_360 USING gin (merged_from)`);
    await queryRunner.query(`CREATE INDEX customer_360_merged_into_idx ON ${s}.customer_360 (merged_into) WHERE merged_into IS NOT NULL`);
    // Not unique on (scheme, value): two live customers may claim one identity (bad data, or a
    // merge half-applied across partitions); the lookup lists both instead of stalling the projection.
    await queryRunner.query(`CREATE TABLE ${s}.customer_identity (
      scheme text NOT NULL, value text NOT NULL, customer_id text NOT NULL, linked_at timestamptz NOT NULL,
      PRIMARY KEY (scheme, value, customer_id))`);
    await queryRunner.query(`CREATE INDEX customer_identity_customer_idx ON ${s}.customer_identity (customer_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of ['customer_identity', 'customer_360', 'projection_workers', 'projection_leases', 'projection_checkpoints'])
      await queryRunner.query(`DROP TABLE IF EXISTS ${s}.${table}`);
  }
}

