import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfigFromProcess, type AppConfig } from '@c360/config';
import { ReadinessRegistry } from '@c360/observability';
import { createIngestorApp } from './ingestor-app';

// The ingestor as its own process: `node scripts/run-ts.cjs apps/ingestor/src/main.ts`.
// Needs KAFKA_BROKERS and DATABASE_URL. Run several: they share the partitions of the events topic.
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfigFromProcess();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw e;
  }
  if (!config.kafka.brokers || !config.database.url) {
    process.stderr.write('The ingestor needs KAFKA_BROKERS and DATABASE_URL (or run the all-in-one platform with `npm start`).\n');
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
  const app = await createIngestorApp(config, { databaseUrl: config.database.url, mode: 'kafka' });
  await app.listen({ port: config.http.port, host: config.http.host });
  process.stdout.write(`c360 ingestor running; health on http://${config.http.host}:${config.http.port}/health/ready\n`);
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
  process.stderr.write(`c360 ingestor could not start: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}\n`);
  process.exit(1);
});
