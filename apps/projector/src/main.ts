import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseDerivedConfig } from './derived/derived-config';
import { parseProjectorConfig, ProjectorConfigError } from './projector-config';
import { ProjectorModule } from './projector.module';
import { processEnvironment } from '@c360/config';

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
  const app = await NestFactory.createApplicationContext(ProjectorModule.forRoot({ config, derived }), { bufferLogs: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  logger.log(`worker ${config.workerId} running (${config.mode}, ${config.partitions} partitions)`);
}

void main().catch((e: unknown) => {
  new Logger('Projector').error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
