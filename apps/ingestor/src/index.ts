// The ingestor's public surface for the all-in-one platform and the CLI.
export { IngestorModule, INGESTOR_EVENT_STORE, type IngestorModuleOptions } from './ingestor.module';
export { DirectIngestion } from './ingest/direct-ingestion';
export { DeadLetterOps, type DeadLetterDetail, type DeadLetterView, type RedriveResult } from './dead-letters/dead-letter-ops.service';
export { ingestorErrorToProblem, IngestorError, IngestorErrorCode } from './ingestor.errors';
export { migrateIngestor, ingestorMigrations, DEFAULT_INGESTOR_SCHEMA } from './persistence/ingestor-migrations';
