import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import {
  CONFIG_ERROR_EXIT_CODE,
  ConfigError,
  loadConfigFromProcess,
  processEnvironment,
  resolveMasterKeys,
  type AppConfig,
} from '@c360/config';
import { checkEventStoreSelection, EventStoreSelectionError, MasterKeyring } from '@c360/event-store';
import { ReadinessRegistry } from '@c360/observability';
import { parseDerivedConfig, type DerivedConfig } from './derived/derived-config';
import { openDerivedPublisher } from './process/derived-publisher';
import { waitForEventStoreSchema } from './process/event-store-schema';
import { createProjectorApp } from './process/projector-app';
import { openProjectorEventStore } from './process/projector-event-store';
import { projectorOpsOptions } from './process/projector-ops-options';
import { runnerLogHooks } from './process/runner-log-hooks';
import { parseProjectorConfig, ProjectorConfigError, type ProjectorConfig } from './projector-config';

// The projector as its own process: `node scripts/run-ts.cjs apps/projector/src/main.ts`.
// Needs DATABASE_URL (read models, checkpoints, leases, ops jobs; the event store too unless
// EVENTSTORE_CONNECTION_STRING selects EventStoreDB/KurrentDB) and the platform's master keys.
// Serves /health/live, /health/ready, /metrics and the ops API (/v1/ops/projections, rebuild and
// replay jobs) on HOST:PROJECTOR_PORT (default 3003), and takes over orphaned rebuilds.
interface Settings {
  readonly config: AppConfig;
  readonly projector: ProjectorConfig;
  readonly derived: DerivedConfig;
}

/** Every setting checked before anything starts; a bad one exits 78 naming it. */
function settingsOrExit(): Settings {
  try {
    const config = loadConfigFromProcess();
    const env = processEnvironment();
    const projector = parseProjectorConfig(env);
    // Derived events go to KAFKA_TOPIC_DERIVED unless DERIVED_TOPIC says otherwise (as in the platform).
    const derived = parseDerivedConfig({ ...env, DERIVED_TOPIC: env['DERIVED_TOPIC'] ?? config.kafka.topics.derived });
    checkEventStoreSelection(config.eventStore);
    return { config, projector, derived };
  } catch (e) {
    if (e instanceof ConfigError || e instanceof EventStoreSelectionError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    if (e instanceof ProjectorConfigError) {
      process.stderr.write(`Invalid configuration: ${e.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw e;
  }
}

async function main(): Promise<void> {
  const { config, projector, derived } = settingsOrExit();
  // A signal before the projections run (e.g. while waiting for the event store schema) stops the start.
  const starting = new AbortController();
  const abortStart = (): void => starting.abort(new StartAborted());
  process.once('SIGTERM', abortStart);
  process.once('SIGINT', abortStart);
  // The same master keys as the ingestor: the projector decrypts personal fields for the read
  // models, and sees erased customers as erased; rebuilds fold them the same way.
  const keys = await resolveMasterKeys(config);
  const active = keys[0];
  if (!active) throw new Error('no master key for crypto-shredding (set C360_MASTER_KEYS)');
  const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
  const store = openProjectorEventStore(config.eventStore, projector, masterKeys);
  const logger = new Logger('Projector');
  // With KAFKA_BROKERS the outbox relay publishes derived events to the derived topic, as in the platform.
  const relay = await openDerivedPublisher(config, derived).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  const closeResources = async (): Promise<void> => {
    await relay.close().catch(() => undefined);
    await store.close();
  };
  const app = await createProjectorApp(config, {
    projector: {
      config: projector,
      derived,
      masterKeys,
      hooks: runnerLogHooks(logger),
      ...(store.eventStore ? { eventStore: store.eventStore } : {}),
      ...(relay.publisher ? { publisher: relay.publisher } : {}),
    },
    ops: projectorOpsOptions(config, projector, derived, store.eventStore ? { eventStore: store.eventStore } : { masterKeys: keys }),
  }).catch(async (e: unknown) => {
    await closeResources();
    throw e;
  });
  try {
    if (relay.publisher) logger.log(relay.description);
    else logger.warn(relay.description);
    // The ingestor creates the PostgreSQL event store: started before it, wait (logged) rather than fail.
    if (store.kind === 'postgres') await waitForSchema(projector, logger, starting.signal);
    starting.signal.throwIfAborted();
    // Starts the runners (application bootstrap), then serves HTTP.
    await app.listen({ port: config.projector.port, host: config.http.host });
  } catch (e) {
    await app.close().catch(() => undefined);
    await closeResources();
    if (e instanceof StartAborted) process.exit(0);
    throw e;
  }
  process.off('SIGTERM', abortStart);
  process.off('SIGINT', abortStart);
  logger.log(`worker ${projector.workerId} running (${projector.mode}, ${projector.partitions} partitions, ${store.kind} event store)`);
  process.stdout.write(`c360 projector running; health on http://${config.http.host}:${config.projector.port}/health/ready\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    app.get(ReadinessRegistry).markDraining();
    const timer = setTimeout(() => process.exit(1), config.http.shutdownTimeoutMs);
    timer.unref();
    // The runners finish their batch and release their leases (the relay its last page); then
    // the publisher and the event store close.
    void app
      .close()
      .then(closeResources)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (starting.signal.aborted) stop(); // a signal while the runners started
}

/** A signal arrived before the projections started. */
class StartAborted extends Error {
  constructor() {
    super('stopped before the projections started');
  }
}

/** Waits, with backoff, until the event store's tables exist (see waitForEventStoreSchema). */
async function waitForSchema(projector: ProjectorConfig, logger: Logger, signal: AbortSignal): Promise<void> {
  const pool = new Pool({ connectionString: projector.databaseUrl, max: 1, connectionTimeoutMillis: 5_000, application_name: 'c360-projector-wait' });
  pool.on('error', () => undefined); // an idle connection lost: the next check reconnects
  try {
    await waitForEventStoreSchema(pool, projector.eventStoreSchema, { log: (m) => logger.warn(m), signal });
  } finally {
    await pool.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`c360 projector could not start: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown error'}\n`);
  process.exit(1);
});
