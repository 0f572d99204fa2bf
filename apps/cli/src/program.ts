import { Command, CommanderError, Option } from 'commander';
import { ConfigError, CONFIG_ERROR_EXIT_CODE, loadConfigFromProcess, type AppConfig } from '@c360/config';
import { TokenRequestError } from '@c360/auth';
import { runPlatform } from '../../platform/src/run-platform';
import { notYetAvailable } from './commands/not-yet-available';
import { runTokenCommand } from './commands/token.command';
import { UsageError, USAGE_EXIT_CODE } from './usage-error';

/** Loads the configuration for a command, or exits 78 naming the bad setting. */
function configOrExit(): AppConfig {
  try {
    return loadConfigFromProcess();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw e;
  }
}

export function buildProgram(): Command {
  const program = new Command('c360')
    .description('c360 customer-360 platform: run it, mint local tokens, operate projections')
    .showHelpAfterError('(run "npx c360 --help" or "npx c360 <command> --help" for usage)')
    .exitOverride();

  program
    .command('start')
    .description('run the all-in-one platform (embedded PostgreSQL unless DATABASE_URL is set)')
    .option('--fresh', 'wipe the embedded database first', false)
    .action(async (opts: { fresh: boolean }) => {
      await runPlatform({ fresh: opts.fresh });
    });

  program
    .command('token')
    .description('print a bearer token signed with the configured key (local use)')
    .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. customers:read,channel:branch:write')
    .option('--ttl <duration>', 'lifetime, e.g. 15m, 1h, 7d (default JWT_TTL)')
    .option('--subject <name>', 'the sub claim (default local-cli)')
    .action(async (opts: { scopes: string; ttl?: string; subject?: string }) => {
      await runTokenCommand(opts, configOrExit());
    });

  program
    .command('demo')
    .description('stream synthetic bank traffic through the real endpoints')
    .addOption(new Option('--customers <n>', 'number of customers').default('10000'))
    .action(() => notYetAvailable('demo', 'the demo generator (issue 7)'));

  const projections = program.command('projections').description('projection status and rebuilds');
  projections
    .command('status')
    .description("each projection's position, lag, rate and state")
    .action(() => notYetAvailable('projections status', 'the projector'));
  projections
    .command('rebuild <name>')
    .description('rebuild a projection from history, with progress')
    .action(() => notYetAvailable('projections rebuild', 'the projector'));

  program
    .command('replay')
    .description('replay history to a Kafka topic by time range')
    .option('--from <time>', 'ISO time')
    .option('--to <time>', 'ISO time')
    .action(() => notYetAvailable('replay', 'the replay tool'));

  program
    .command('verify')
    .description('check completeness across Kafka, the store and every read model')
    .action(() => notYetAvailable('verify', 'the verification tool'));

  const deadLetters = program.command('dead-letters').description('list and re-drive dead letters');
  deadLetters.command('list').description('list dead letters').action(() => notYetAvailable('dead-letters list', 'the ingestor dead-letter store'));
  deadLetters
    .command('redrive [id]')
    .description('re-drive dead letters')
    .action(() => notYetAvailable('dead-letters redrive', 'the ingestor dead-letter store'));

  return program;
}

/** Runs the CLI: usage mistakes exit 2 with the fix, configuration errors 78, failures 1. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message (and the help hint); help/version exit 0.
      process.exit(e.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
    }
    if (e instanceof UsageError || e instanceof TokenRequestError) {
      process.stderr.write(`c360: ${e.message}\n`);
      process.exit(USAGE_EXIT_CODE);
    }
    process.stderr.write(`c360: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
