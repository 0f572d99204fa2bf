import { ReadModelsInit1764320000000 } from './1764320000000-read-models-init';
import { SegmentsChurn1764400000000 } from './1764400000000-segments-churn';
import { DerivedOutboxTrace1764700000000 } from './1764700000000-derived-outbox-trace';
import { ProjectionBulkProgress1764800000000 } from './1764800000000-projection-bulk-progress';
import { Customer360HotUpdates1764900000000 } from './1764900000000-customer-360-hot-updates';
import { Customer360MergedFromPartialIndex1765000000000 } from './1765000000000-customer-360-merged-from-partial-index';
import { Customer360StateLz41765100000000 } from './1765100000000-customer-360-state-lz4';
import { SweepDeadlines1765200000000 } from './1765200000000-sweep-deadlines';

export { ReadModelsInit1764320000000, SegmentsChurn1764400000000, DerivedOutboxTrace1764700000000, ProjectionBulkProgress1764800000000, Customer360HotUpdates1764900000000, Customer360MergedFromPartialIndex1765000000000, Customer360StateLz41765100000000, SweepDeadlines1765200000000 };

/** Every read-model migration, in order. */
export const READ_MODEL_MIGRATIONS = [
  ReadModelsInit1764320000000,
  SegmentsChurn1764400000000,
  DerivedOutboxTrace1764700000000,
  ProjectionBulkProgress1764800000000,
  Customer360HotUpdates1764900000000,
  Customer360MergedFromPartialIndex1765000000000,
  Customer360StateLz41765100000000,
  SweepDeadlines1765200000000,
];
