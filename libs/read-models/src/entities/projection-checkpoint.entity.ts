import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A projection's position per partition; written in the same transaction as its rows. */
@Entity({ name: 'projection_checkpoints' })
export class ProjectionCheckpointEntity {
  @PrimaryColumn({ type: 'text' })
  projection!: string;

  @PrimaryColumn({ type: 'int' })
  partition!: number;

  /** GlobalPosition (up to 128 bits) as a decimal. */
  @Column({ type: 'numeric', precision: 40, scale: 0, default: 0 })
  position!: string;

  @Column({ name: 'partition_count', type: 'int' })
  partitionCount!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
