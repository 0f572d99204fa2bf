/**
 * @c360/projections — declarative projection definitions, the runner that applies them
 * (batches + checkpoint in one transaction, partition leases with fencing, retries, lag),
 * the runner's ports, and the customer-360 projection. No TypeORM here: libs/read-models
 * implements the ports.
 */
export * from './errors';
export * from './definition/projection-definition';
export * from './partitioning/partition-of';
export * from './partitioning/partition-assigner';
export * from './partitioning/lease-partition-assigner';
export * from './ports/projection-store.port';
export * from './ports/lease-store.port';
export * from './runner/backoff';
export * from './runner/batch-reader';
export * from './runner/grouping';
export * from './runner/projection-status';
export * from './runner/projection-runner';
export * from './customer-360/customer-360.repository.port';
export * from './customer-360/customer-360.projection';
export * from './derived/index';
