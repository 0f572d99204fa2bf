import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who processes a partition; `epoch` is the fencing token, bumped on every takeover. */
@Entity({ name: 'projection_leases' })
export class ProjectionLeaseEntity {
  @PrimaryColumn({ type: 'text' })
  projection!: string;

  @PrimaryColumn({ type: 'int' })
  partition!: number;

  @Column({ type: 'text', nullable: true })
  owner!: string | null;

  @Column({ type: 'bigint', default: 0 })
  epoch!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}

/** Live workers of a projection (their count sets each one's fair share of partitions). */
@Entity({ name: 'projection_workers' })
export class ProjectionWorkerEntity {
  @PrimaryColumn({ type: 'text' })
  projection!: string;

  @PrimaryColumn({ name: 'worker_id', type: 'text' })
  workerId!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
