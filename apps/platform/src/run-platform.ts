import type { DemoOptions } from '../../cli/src/demo/index';
import { CONFIG_ERROR_EXIT_CODE, ConfigError, loadConfigFromProcess, type AppConfig } from '@c360/config';
import { parseDemoOptions, runDemo } from '../../cli/src/demo/index';
import { startPlatform, startupBanner, type RunningPlatform } from './bootstrap';
import { PlatformSettingError } from './composition/platform-settings';

export interface RunPlatformFlags {
  readonly fresh: boolean;
  /** `--demo`: once ready, stream synthetic bank traffic through the platform's own endpoints. */
  readonly demo?: boolean;
  /** `--demo-customers N` (default 10,000). */
  readonly demoCustomers?: string;
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

  // Check the demo's options before starting anything: a typo should not cost a start-up.
  const demo = flags.demo === true ? demoOptionsOrExit(flags, config) : undefined;

  let platform;
  try {
    platform = await startPlatform(config, { fresh: flags.fresh });
  } catch (e) {
    if (e instanceof PlatformSettingError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    process.stderr.write(`c360 could not start: ${describeStartError(e, config)}\n`);
    process.exit(1);
  }
  process.stdout.write(await startupBanner(config, platform));
  if (demo) startDemo(demo, config, platform);

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

function demoOptionsOrExit(flags: RunPlatformFlags, config: AppConfig): DemoOptions {
  try {
    return parseDemoOptions(flags.demoCustomers === undefined ? {} : { customers: flags.demoCustomers }, { url: `http://127.0.0.1:${config.http.port}`, now: new Date() });
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message.replace('--customers', '--demo-customers') : String(e)}\n`);
    process.exit(2);
  }
}

/** Streams the demo in the background: progress lines on stderr, the summary on stdout; the platform keeps running. */
function startDemo(options: DemoOptions, config: AppConfig, platform: RunningPlatform): void {
  runDemo(options, config, {
    progress: (line, final) => {
      if (final) process.stderr.write(`${line}\n`);
    },
    summary: (text) => process.stdout.write(text),
  })
    .then((result) => {
      if (!result.ok) platform.logger.warn('demo: not every event was accepted (see the summary above)');
    })
    .catch((err: unknown) => platform.logger.error({ err }, 'demo failed'));
}

function describeStartError(e: unknown, config: AppConfig): string {
  const err = e as { code?: unknown; message?: unknown };
  if (err.code === 'EADDRINUSE') return `port ${config.http.port} is in use. Set PORT to a free TCP port.`;
  if (err.code === 'EACCES') return `not allowed to listen on ${config.http.host}:${config.http.port}. Set PORT above 1024 or HOST to an address of this machine.`;
  if (err.code === 'ECONNREFUSED' && config.database.url) return 'the database at DATABASE_URL refused the connection. Start it, or unset DATABASE_URL to use embedded PostgreSQL.';
  if (err.code === '3D000') return 'the database named in DATABASE_URL does not exist. Create it (createdb) or point DATABASE_URL at an existing one.';
  return typeof err.message === 'string' ? err.message : String(e);
}
