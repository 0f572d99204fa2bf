/**
 * @c360/read-models — the only lib that imports TypeORM: the read models' DataSource,
 * entities, migrations, and the PostgreSQL adapters of the projection ports.
 */
export * from './schema-name';
export * from './state-codec';
export * from './pg-failures';
export * from './data-source';
export * from './digest';
export * from './entities/projection-checkpoint.entity';
export * from './entities/projection-lease.entity';
export * from './entities/customer-360.entity';
export { DerivedOutboxTrace1764700000000, READ_MODEL_MIGRATIONS, ReadModelsInit1764320000000, SegmentsChurn1764400000000 } from './migrations/index';
export * from './customer-360/customer-360.typeorm-repository';
export * from './projection-store/typeorm-projection-store';
export * from './projection-store/postgres-lease-store';
export * from './projection-store/batch-unit-of-work';
export * from './derived/derived.typeorm-repositories';
export * from './derived/typeorm-derived-store';
export * from './rebuild/index';
