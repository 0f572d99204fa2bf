import { BUILT_IN_SEGMENTS } from '@c360/customer-domain';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './1764320000000-read-models-init';

/**
 * Segment definitions (data, versioned, shadow | active | retired) seeded with the built-ins
 * at version 1; segment membership and its history; churn rule versions (overrides on the
 * configured thresholds; v1 = none) and churn flags; the per-customer clock watermark of the
 * sweeper; the transactional outbox of derived events; shadow-run reports.
 */
export class SegmentsChurn1764400000000 implements MigrationInterface {
  name = 'SegmentsChurn1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`CREATE TABLE ${s}.segment_definitions (
      id text NOT NULL, version int NOT NULL CHECK (version >= 1),
      status text NOT NULL CHECK (status IN ('shadow', 'active', 'retired')),
      definition jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
      activated_at timestamptz, retired_at timestamptz,
      PRIMARY KEY (id, version))`);
    await queryRunner.query(`CREATE UNIQUE INDEX segment_definitions_one_active ON ${s}.segment_definitions (id) WHERE status = 'active'`);
    for (const d of BUILT_IN_SEGMENTS)
      await queryRunner.query(
        `INSERT INTO ${s}.segment_definitions (id, version, status, definition, activated_at)
         VALUES ($1, $2, 'active', $3::jsonb, now()) ON CONFLICT DO NOTHING`,
        [d.id, d.version, JSON.stringify(d)],
      );
    await queryRunner.query(`CREATE TABLE ${s}.segment_membership (
      segment_id text NOT NULL, customer_id text NOT NULL, since timestamptz NOT NULL,
      rule_version int NOT NULL, reason text NOT NULL,
      PRIMARY KEY (segment_id, customer_id))`);
    await queryRunner.query(`CREATE INDEX segment_membership_customer_idx ON ${s}.segment_membership (customer_id)`);
    await queryRunner.query(`CREATE TABLE ${s}.segment_membership_history (
      customer_id text NOT NULL, segment_id text NOT NULL,
      change text NOT NULL CHECK (change IN ('entered', 'left')), at timestamptz NOT NULL,
      rule_version int NOT NULL, reason text NOT NULL, revision bigint NOT NULL, cause text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (customer_id, segment_id, cause, change))`);
    await queryRunner.query(`CREATE INDEX segment_membership_history_segment_idx ON ${s}.segment_membership_history (segment_id, at)`);
    await queryRunner.query(`CREATE TABLE ${s}.churn_rule_versions (
      version int PRIMARY KEY CHECK (version >= 1),
      status text NOT NULL CHECK (status IN ('shadow', 'active', 'retired')),
      overrides jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
      activated_at timestamptz, retired_at timestamptz)`);
    await queryRunner.query(`CREATE UNIQUE INDEX churn_rule_versions_one_active ON ${s}.churn_rule_versions ((true)) WHERE status = 'active'`);
    await queryRunner.query(
      `INSERT INTO ${s}.churn_rule_versions (version, status, overrides, activated_at) VALUES (1, 'active', '{}'::jsonb, now()) ON CONFLICT DO NOTHING`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.churn_flags (
      flag_id uuid PRIMARY KEY, customer_id text NOT NULL, code text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'cleared')), reason text NOT NULL,
      evidence_event_ids text[] NOT NULL, since timestamptz NOT NULL,
      raised_at timestamptz NOT NULL, cleared_at timestamptz, rule_version int NOT NULL,
      raised_cause text NOT NULL, cleared_cause text)`);
    await queryRunner.query(`CREATE UNIQUE INDEX churn_flags_one_open ON ${s}.churn_flags (customer_id, code) WHERE status = 'open'`);
    await queryRunner.query(`CREATE INDEX churn_flags_status_idx ON ${s}.churn_flags (status, raised_at DESC)`);
    await queryRunner.query(`CREATE INDEX churn_flags_customer_idx ON ${s}.churn_flags (customer_id)`);
    await queryRunner.query(`CREATE TABLE ${s}.customer_clock (customer_id text PRIMARY KEY, swept_at timestamptz NOT NULL)`);
    await queryRunner.query(`CREATE TABLE ${s}.derived_outbox (
      seq bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, topic text NOT NULL, key text NOT NULL,
      payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz)`);
    await queryRunner.query(`CREATE INDEX derived_outbox_pending_idx ON ${s}.derived_outbox (seq) WHERE sent_at IS NULL`);
    await queryRunner.query(`CREATE TABLE ${s}.shadow_runs (
      run_id uuid PRIMARY KEY DEFAULT gen_random_uuid(), kind text NOT NULL CHECK (kind IN ('segment', 'churn')),
      target text NOT NULL, version int NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
      customers int NOT NULL DEFAULT 0, entering int NOT NULL DEFAULT 0, leaving int NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz, error text)`);
    await queryRunner.query(`CREATE TABLE ${s}.shadow_run_changes (
      seq bigserial PRIMARY KEY, run_id uuid NOT NULL REFERENCES ${s}.shadow_runs (run_id) ON DELETE CASCADE,
      customer_id text NOT NULL, subject text NOT NULL,
      change text NOT NULL CHECK (change IN ('enter', 'leave', 'raise', 'clear')), reason text NOT NULL,
      UNIQUE (run_id, customer_id, subject, change))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of [
      'shadow_run_changes',
      'shadow_runs',
      'derived_outbox',
      'customer_clock',
      'churn_flags',
      'churn_rule_versions',
      'segment_membership_history',
      'segment_membership',
      'segment_definitions',
    ])
      await queryRunner.query(`DROP TABLE IF EXISTS ${s}.${table}`);
  }
}
