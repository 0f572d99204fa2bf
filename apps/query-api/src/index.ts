// The query API's public surface for the all-in-one platform, the CLI and benches.
export { QueryApiModule, QUERY_API_EVENT_STORE, type QueryApiModuleOptions } from './query-api.module';
export { parseQueryApiConfig, QueryApiConfigError, type QueryApiConfig } from './query-api-config';
export { queryApiErrorToProblem, QueryApiError, QueryApiErrorCode } from './query-api.errors';
export { QueryScope } from './caller';
export { migrateQueryApi, DEFAULT_QUERY_API_SCHEMA } from './persistence/query-api-migrations';
export { RetentionSweeper } from './erasure/retention-sweeper';
export { ErasureService } from './erasure/erasure.service';
export type { KafkaProgressProbe } from './consistency/consistency.service';
export type { ErasableEventStore } from './erasure/erasable-event-store';
export { maskEmail, maskName, maskNationalId, maskPhone } from './masking/masking';
export { KafkaGroupProgress, type KafkaGroupProgressOptions } from './consistency/kafka-group-progress';
