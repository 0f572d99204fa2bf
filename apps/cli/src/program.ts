import { Command, CommanderError } from 'commander';
import { ConfigError, CONFIG_ERROR_EXIT_CODE, loadConfigFromProcess, type AppConfig } from '@c360/config';
import { TokenRequestError } from '@c360/auth';
import { runPlatform } from '../../platform/src/run-platform';
import { runTokenCommand } from './commands/token.command';
import { runDemoCommand, type RawDemoOptions } from './demo';
import { runProjectionsRebuild, runProjectionsStatus } from './commands/projections.command';
import { runVerify } from './commands/verify.command';
import { runReplay } from './commands/replay.command';
import {
  runDeadLettersDiscard,
  runDeadLettersList,
  runDeadLettersParked,
  runDeadLettersRedrive,
  runDeadLettersShow,
} from './commands/dead-letters.command';
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
    .description('c360 customer-360 platform: run it, mint local tokens, operate projections, replay history, re-drive dead letters')
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
    .description('stream synthetic bank traffic (core banking, branch, mobile, call centre) through the real endpoints')
    .option('--customers <n>', 'number of synthetic customers (default 10000; 100000 works)')
    .option('--url <url>', 'the platform (default http://127.0.0.1:$PORT)')
    .option('--token <token>', 'bearer token with the intake scopes (default: minted from the data directory\'s key)')
    .option('--rate <events/s>', 'at most this many events per second (default: as fast as the platform takes them)')
    .option('--seed <n>', 'same seed and --now, same bank and event ids (default 1)')
    .option('--days <n>', 'days of history ending now (default 180)')
    .option('--concurrency <n>', 'requests in flight (default 4)')
    .option('--churn-share <fraction>', 'share of customers drifting toward churn (default 0.06)')
    .option('--now <time>', 'end of the history, ISO time (default: now)')
    .action(async (opts: RawDemoOptions) => {
      await runDemoCommand(opts, configOrExit());
    });

  const projections = program.command('projections').description('projection status and rebuilds');
  projections
    .command('status')
    .description("each projection's position, lag, rate and state (read from the database: DATABASE_URL)")
    .option('--json', 'one JSON document instead of the table', false)
    .action(async (opts: { json: boolean }) => runProjectionsStatus(opts, process.env, (l) => process.stdout.write(`${l}\n`)));
  projections
    .command('rebuild <name>')
    .description('rebuild a projection from history (blue/green), with progress; resumes a crashed rebuild')
    .option('--customers <ids>', 'refold only these customers in place (comma-separated)')
    .option('--dry-run', 'build and show how the result differs from the live copy; change nothing', false)
    .option('--diff', 'show how the rebuilt copy differs from the live one before the swap', false)
    .option('--cancel', 'cancel the running rebuild of this projection', false)
    .option('--json', 'progress and the result as JSON lines', false)
    .action(async (name: string, opts: { customers?: string; dryRun: boolean; diff: boolean; cancel: boolean; json: boolean }) =>
      runProjectionsRebuild(name, opts, process.env, (l) => process.stdout.write(`${l}\n`)),
    );

  program
    .command('replay')
    .description('re-publish history recorded in [--from, --to) from the event store to a Kafka topic, keyed by customer (DATABASE_URL, KAFKA_BROKERS)')
    .option('--from <time>', 'start of the range, inclusive: ISO time with its zone, e.g. 2026-11-01T00:00:00Z')
    .option('--to <time>', 'end of the range, exclusive: ISO time with its zone')
    .option('--types <list>', 'only these event types (comma-separated), e.g. MoneyMoved,ComplaintRaised')
    .option('--topic <topic>', "target topic, created if missing (default KAFKA_TOPIC_REPLAY); c360's own topics are refused")
    .option('--rate <events/s>', 'at most this many events per second (default: as fast as the broker acknowledges)')
    .option('--partitions <n>', 'partitions when the topic is created (default KAFKA_PARTITIONS)')
    .option('--json', 'progress and the result as JSON lines', false)
    .action(async (opts: { from?: string; to?: string; types?: string; topic?: string; rate?: string; partitions?: string; json: boolean }) => {
      await runReplay(opts, configOrExit(), process.env, (l) => process.stdout.write(`${l}\n`));
    });

  program
    .command('verify')
    .description('check completeness: every event on the raw topic is in the store, every stored event in each read model; exit 1 naming each customer, partition and offset that disagrees')
    .option('--deep <n>', 'refold this many customers (or "all") from the store and compare every column', '200')
    .option('--json', 'the report as JSON', false)
    .option('--kafka', 'also check that every event on the raw topic is in the event store (default: when KAFKA_BROKERS is set)')
    .option('--no-kafka', 'skip the Kafka half')
    .action(async (opts: { deep?: string; json: boolean; kafka?: boolean }) => {
      if (!(await runVerify(opts, process.env, (l) => process.stdout.write(`${l}\n`), configOrExit()))) process.exitCode = 1;
    });

  const out = (l: string): void => {
    process.stdout.write(`${l}\n`);
  };
  const deadLetters = program
    .command('dead-letters')
    .description("list, inspect, re-drive and discard the ingestor's dead letters; list parked customers (DATABASE_URL)");
  deadLetters
    .command('list')
    .description('dead letters with their reason, source position and the customer they hold back')
    .option('--status <status>', 'open, redriven, discarded or all', 'open')
    .option('--customer <id>', 'only those holding back this customer')
    .option('--json', 'one JSON document instead of the table', false)
    .action(async (opts: { status?: string; customer?: string; json: boolean }) => runDeadLettersList(opts, configOrExit(), out));
  deadLetters
    .command('show <id>')
    .description('one dead letter with its original bytes (base64; may hold personal data)')
    .action(async (id: string) => runDeadLettersShow(id, configOrExit(), out));
  deadLetters
    .command('redrive <id>')
    .description("ingest a dead letter again — its original bytes, or a repaired event — and release its customer's waiting events, in order")
    .option('--file <repaired.json>', 'a JSON file holding the repaired canonical event')
    .option('--json', 'the result as JSON', false)
    .action(async (id: string, opts: { file?: string; json: boolean }) => runDeadLettersRedrive(id, opts, configOrExit(), out));
  deadLetters
    .command('discard <id>')
    .description("give up on a dead letter (it stays listed as discarded); its customer's waiting events go on")
    .option('--json', 'the result as JSON', false)
    .action(async (id: string, opts: { json: boolean }) => runDeadLettersDiscard(id, opts, configOrExit(), out));
  deadLetters
    .command('parked')
    .description('subjects with parked events: customers behind a dead letter, identities awaiting their link (hashed)')
    .option('--limit <n>', 'at most this many subjects (default 100)')
    .option('--json', 'one JSON document instead of the table', false)
    .action(async (opts: { limit?: string; json: boolean }) => runDeadLettersParked(opts, configOrExit(), out));

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
