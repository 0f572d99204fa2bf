import { createOps, type Ops, type OpsKafkaOptions } from '../../../projector/src/ops/index';
import { defaultProjection } from '../../../projector/src/projector';
import { parseDerivedConfig } from '../../../projector/src/derived/derived-config';
import { parseProjectorConfig, ProjectorConfigError } from '../../../projector/src/projector-config';
import { ConfigError, existingMasterKeys, loadConfig } from '@c360/config';
import { UsageError } from '../usage-error';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The operator services on the platform's database, configured like the projector process
 * (DATABASE_URL, READ_MODEL_SCHEMA, EVENT_STORE_SCHEMA, PROJECTOR_PARTITIONS/BATCH_* and the
 * derived-view settings), so a rebuild folds exactly what the running projector folds.
 */
export async function openOps(env: Env, kafka?: OpsKafkaOptions): Promise<Ops> {
  if (!env['DATABASE_URL'])
    throw new UsageError('DATABASE_URL is not set: point it at the platform\'s database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/c360 npx c360 projections status');
  let config;
  try {
    config = parseProjectorConfig(env);
  } catch (e) {
    if (e instanceof ProjectorConfigError) throw new UsageError(`bad setting ${e.message}`);
    throw e;
  }
  // The platform's master keys, so a rebuild folds personal fields as the projector does (decrypted;
  // erased ones as erased) — never a new keyring.
  let masterKeys;
  try {
    masterKeys = await existingMasterKeys(loadConfig(env));
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  return createOps({
    ...(masterKeys ? { masterKeys } : {}),
    databaseUrl: config.databaseUrl,
    readModelSchema: config.readModelSchema,
    eventStoreSchema: config.eventStoreSchema,
    definitions: [defaultProjection(parseDerivedConfig(env))],
    defaultPartitions: config.partitions,
    batch: { maxSize: config.batchSize, maxLatencyMs: config.batchLatencyMs },
    bulk: { minEvents: config.bulkMinEvents, chunkEvents: config.bulkChunkEvents },
    ...(kafka ? { kafka } : {}),
  });
}

export async function withOps<T>(env: Env, work: (ops: Ops) => Promise<T>, kafka?: OpsKafkaOptions): Promise<T> {
  const ops = await openOps(env, kafka);
  try {
    return await work(ops);
  } finally {
    await ops.close();
  }
}
