import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfigFromProcess, type AppConfig } from '@c360/config';
import { ReadinessRegistry } from '@c360/observability';
import { createGatewayApp } from './gateway-app';

// The gateway as its own process: `node scripts/run-ts.cjs apps/gateway/src/main.ts`.
// Needs KAFKA_BROKERS (the gateway's intake is Kafka); PORT, HOST, BODY_LIMIT, JWT_* as everywhere.
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
  if (!config.kafka.brokers) {
    process.stderr.write('The gateway runs on Kafka: set KAFKA_BROKERS (or run the all-in-one platform with `npm start`).\n');
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
  const app = await createGatewayApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  process.stdout.write(`c360 gateway listening on http://${config.http.host}:${config.http.port}\n`);
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
  process.stderr.write(`c360 gateway could not start: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}\n`);
  process.exit(1);
});
