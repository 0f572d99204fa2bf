import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfigFromProcess, type AppConfig } from '@c360/config';
import { startPlatform, startupBanner } from './bootstrap';

export interface RunPlatformFlags {
  readonly fresh: boolean;
}

/**
 * Runs the platform as a process: validated config (or exit 78 with the setting named),
 * start, banner, then a graceful stop on SIGTERM/SIGINT (exit 0), bounded by SHUTDOWN_TIMEOUT.
 */
export async function runPlatform(flags: RunPlatformFlags): Promise<never> {
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

  let platform;
  try {
    platform = await startPlatform(config, { fresh: flags.fresh });
  } catch (e) {
    process.stderr.write(`c360 could not start: ${describeStartError(e, config)}\n`);
    process.exit(1);
  }
  process.stdout.write(await startupBanner(config, platform));

  const running = platform;
  return new Promise<never>(() => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) {
        running.logger.warn({ signal }, 'second signal: exiting without draining');
        process.exit(1);
      }
      running.logger.info({ signal }, 'shutting down: draining requests');
      const timer = setTimeout(() => {
        running.logger.error({ timeoutMs: config.http.shutdownTimeoutMs }, 'shutdown timed out (SHUTDOWN_TIMEOUT)');
        process.exit(1);
      }, config.http.shutdownTimeoutMs);
      timer.unref();
      running
        .stop()
        .then(() => {
          running.logger.info('stopped');
          process.exit(0);
        })
        .catch((err: unknown) => {
          running.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

function describeStartError(e: unknown, config: AppConfig): string {
  const err = e as { code?: unknown; message?: unknown };
  if (err.code === 'EADDRINUSE') return `port ${config.http.port} is in use. Set PORT to a free TCP port.`;
  if (err.code === 'EACCES') return `not allowed to listen on ${config.http.host}:${config.http.port}. Set PORT above 1024 or HOST to an address of this machine.`;
  if (err.code === 'ECONNREFUSED' && config.database.url) return 'the database at DATABASE_URL refused the connection. Start it, or unset DATABASE_URL to use embedded PostgreSQL.';
  if (err.code === '3D000') return 'the database named in DATABASE_URL does not exist. Create it (createdb) or point DATABASE_URL at an existing one.';
  return typeof err.message === 'string' ? err.message : String(e);
}
