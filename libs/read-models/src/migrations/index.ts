import { ReadModelsInit1764320000000 } from './1764320000000-read-models-init';
import { SegmentsChurn1764400000000 } from './1764400000000-segments-churn';

export { ReadModelsInit1764320000000, SegmentsChurn1764400000000 };

/** Every read-model migration, in order. */
export const READ_MODEL_MIGRATIONS = [ReadModelsInit1764320000000, SegmentsChurn1764400000000];
