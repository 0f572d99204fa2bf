import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import { allScopes, TokenIssuer } from '@c360/auth';
import { processEnvironment, type AppConfig, type Environment } from '@c360/config';
import { assignRequestId, ReadinessRegistry } from '@c360/observability';
import { registerJsonBodyParser } from '../../gateway/src/index';
import { openPlatformResources, type PlatformResources } from './composition/platform-resources';
import { parsePlatformSettings, withDatabase } from './composition/platform-settings';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { setUpFastify } from './http/fastify-setup';
import { setUpOpenApi } from './http/openapi';
import { PlatformModule } from './platform.module';

export interface StartPlatformOptions {
  /** Wipe the embedded database first. */
  readonly fresh?: boolean;
  /** Where the per-app settings (PROJECTOR_*, QUERY_*, CHURN_*…) are read; default the process environment. */
  readonly env?: Environment;
}

export interface RunningPlatform {
  readonly url: string;
  readonly databaseDisplayUrl: string;
  readonly logger: Logger;
  readonly app: NestFastifyApplication;
  /** Stop taking work, drain HTTP, close the pool, stop embedded PostgreSQL. */
  stop(): Promise<void>;
}

/** Starts the all-in-one platform on an already validated configuration. */
export async function startPlatform(config: AppConfig, options: StartPlatformOptions = {}): Promise<RunningPlatform> {
  const logger = pino({
    level: config.log.level,
    base: { service: 'c360', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  // Per-app settings are checked before anything starts (a bad one throws PlatformSettingError).
  const parsedSettings = parsePlatformSettings(config, options.env ?? processEnvironment());
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.database.url;
  let databaseDisplayUrl = redact(config.database.url);
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres(config, { fresh: options.fresh === true, log: (m) => logger.info(m) });
    databaseUrl = embedded.url;
    databaseDisplayUrl = embedded.displayUrl;
  } else if (options.fresh === true) {
    logger.warn('--fresh only wipes embedded PostgreSQL; DATABASE_URL is set, so nothing was wiped');
  }

  let resources: PlatformResources | undefined;
  try {
    const settings = withDatabase(parsedSettings, databaseUrl);
    resources = await openPlatformResources(config, databaseUrl, settings);
    const adapter = new FastifyAdapter({
      bodyLimit: config.http.bodyLimitBytes,
      requestTimeout: config.http.requestTimeoutMs,
      genReqId: assignRequestId,
      logger: false,
    });
    const app = await NestFactory.create<NestFastifyApplication>(PlatformModule.forRoot({ config, databaseUrl, settings, resources }), adapter, {
      bufferLogs: true,
      abortOnError: false,
      // The intake's parser (JSON only, body limit while reading, __proto__ refused, coded problems).
      bodyParser: false,
    });
    app.useLogger(app.get(PinoNestLogger));
    registerJsonBodyParser(app, config.http.bodyLimitBytes);
    await setUpFastify(app, config);
    setUpOpenApi(app);
    await app.listen({ port: config.http.port, host: config.http.host });

    const url = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
    const shared = resources;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        app.get(ReadinessRegistry).markDraining();
        try {
          await app.close();
        } finally {
          // After the modules stopped (projector, consumers): they use the shared store to the end.
          await shared.close().catch((err: unknown) => logger.warn({ err }, 'closing the shared event store failed'));
          await embedded?.stop();
        }
      })());
    return { url, databaseDisplayUrl, logger, app, stop };
  } catch (e) {
    await resources?.close().catch(() => undefined);
    await embedded?.stop();
    throw e;
  }
}

/** The start-up banner: where things are and a local token with every scope (never in production). */
export async function startupBanner(config: AppConfig, platform: RunningPlatform): Promise<string> {
  const lines = [
    '',
    `c360 is running (${config.runMode})`,
    `  API        ${platform.url}/v1`,
    `  OpenAPI    ${platform.url}/docs`,
    `  Console    ${platform.url}/console`,
    `  Health     ${platform.url}/health/ready`,
    `  Metrics    ${platform.url}/metrics`,
    `  Database   ${platform.databaseDisplayUrl}${config.database.url ? '' : ' (embedded)'}`,
    `  Transport  ${config.kafka.brokers ? `Kafka ${config.kafka.brokers.join(',')}` : 'in-process (set KAFKA_BROKERS for Kafka)'}`,
    `  Data       ${config.dataDir}`,
  ];
  if (config.jwt.generateLocalKeys) {
    const ttlSeconds = Math.min(config.jwt.maxTtlSeconds, 12 * 3600);
    const token = await platform.app.get(TokenIssuer).mintToken({ subject: 'local-admin', scopes: allScopes(), ttlSeconds });
    lines.push(
      '',
      `Local token, every scope, valid ${Math.round(ttlSeconds / 3600)} h (mint others: npx c360 token --scopes customers:read):`,
      `  export C360_TOKEN=${token}`,
      `  curl -H "Authorization: Bearer $C360_TOKEN" ${platform.url}/v1/whoami`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function redact(url: string | undefined): string {
  if (url === undefined) return '';
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
