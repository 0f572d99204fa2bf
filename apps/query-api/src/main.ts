import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfigFromProcess, processEnvironment, type AppConfig } from '@c360/config';
import { ReadinessRegistry } from '@c360/observability';
import { createQueryApiApp } from './query-api-app';
import { parseQueryApiConfig, QueryApiConfigError, type QueryApiConfig } from './query-api-config';

// The query API as its own process: `node scripts/run-ts.cjs apps/query-api/src/main.ts`.
// Needs DATABASE_URL (the read models and the event store the projector and ingestor write).
// With KAFKA_BROKERS, Kafka consistency tokens from the gateway are resolved against the
// ingestor group's committed offsets. PORT, HOST, JWT_*, C360_MASTER_KEYS and QUERY_* as everywhere;
// the tier and churn thresholds (TIER_*, CHURN_*) are AppConfig's, the same the projector reads.
async function main(): Promise<void> {
  let config: AppConfig;
  let queryApi: QueryApiConfig;
  try {
    config = loadConfigFromProcess();
    queryApi = parseQueryApiConfig(processEnvironment());
  } catch (e) {
    if (e instanceof ConfigError || e instanceof QueryApiConfigError) {
      process.stderr.write(`${e instanceof QueryApiConfigError ? `Invalid configuration: ${e.message}` : e.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw e;
  }
  if (!config.database.url) {
    process.stderr.write('The query API needs DATABASE_URL (or run the all-in-one platform with `npm start`).\n');
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
  const eventStoreSchema = processEnvironment()['EVENT_STORE_SCHEMA'];
  const app = await createQueryApiApp(config, {
    databaseUrl: config.database.url,
    config: queryApi,
    ...(eventStoreSchema ? { eventStoreSchema } : {}),
  });
  await app.listen({ port: config.http.port, host: config.http.host });
  process.stdout.write(`c360 query API listening on http://${config.http.host}:${config.http.port} (docs at /docs)\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    app.get(ReadinessRegistry).markDraining();
    const timer = setTimeout(() => process.exit(1), config.http.shutdownTimeoutMs);
    timer.unref();
    void app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`c360 query API could not start: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}\n`);
  process.exit(1);
});
