import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseDerivedConfig } from './derived/derived-config';
import { parseProjectorConfig, ProjectorConfigError } from './projector-config';
import { ProjectorModule } from './projector.module';
import { loadConfigFromProcess, processEnvironment, resolveMasterKeys } from '@c360/config';
import { MasterKeyring } from '@c360/event-store';

/** The projector as its own process: no HTTP yet (health and metrics come with observability). */
async function main(): Promise<void> {
  const logger = new Logger('Projector');
  let config;
  let derived;
  try {
    config = parseProjectorConfig(processEnvironment());
    derived = parseDerivedConfig(processEnvironment());
  } catch (e) {
    if (e instanceof ProjectorConfigError) {
      logger.error(`bad setting ${e.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  // The same master keys as the ingestor: the projector decrypts personal fields for the read
  // models, and sees erased customers as erased.
  const keys = await resolveMasterKeys(loadConfigFromProcess());
  const active = keys[0];
  if (!active) throw new Error('no master key for crypto-shredding (set C360_MASTER_KEYS)');
  const masterKeys = MasterKeyring.fromConfig({
    activeKeyId: active.id,
    keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])),
  });
  const app = await NestFactory.createApplicationContext(ProjectorModule.forRoot({ config, derived, masterKeys }), {
    bufferLogs: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  logger.log(`worker ${config.workerId} running (${config.mode}, ${config.partitions} partitions)`);
}

void main().catch((e: unknown) => {
  new Logger('Projector').error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
