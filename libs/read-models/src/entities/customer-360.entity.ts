import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row per customer: the folded customer-360 state plus columns to query by. */
@Entity({ name: 'customer_360' })
export class Customer360Entity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  /** Last revision of the customer's own stream applied (I5). */
  @Column({ name: 'last_revision', type: 'bigint' })
  lastRevision!: string;

  /** The domain state, encoded by state-codec (Dates tagged, so they round-trip). */
  @Column({ type: 'jsonb' })
  state!: unknown;

  @Index()
  @Column({ type: 'text' })
  tier!: string;

  @Index()
  @Column({ type: 'text', nullable: true })
  region!: string | null;

  @Column({ name: 'relationship_value_minor', type: 'bigint' })
  relationshipValueMinor!: string;

  @Column({ name: 'churn_risk_score', type: 'smallint' })
  churnRiskScore!: number;

  @Column({ name: 'merged_into', type: 'text', nullable: true })
  mergedInto!: string | null;

  @Column({ name: 'merged_from', type: 'text', array: true, default: () => "'{}'" })
  mergedFrom!: string[];

  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true })
  lastEventAt!: Date | null;

  /** Volatile (wall clock of the write): excluded from rebuild digests. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Channel identity → customer, for lookups; a merged-away customer's identities point at its survivor's row. */
@Entity({ name: 'customer_identity' })
export class CustomerIdentityEntity {
  @PrimaryColumn({ type: 'text' })
  scheme!: string;

  @PrimaryColumn({ type: 'text' })
  value!: string;

  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'linked_at', type: 'timestamptz' })
  linkedAt!: Date;
}
