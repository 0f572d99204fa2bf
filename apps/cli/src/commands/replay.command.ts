import { SingleBar } from 'cli-progress';
import { resolveMasterKeys, type AppConfig } from '@c360/config';
import { createReplay, OpsError, OpsErrorCode, type ReplayRequest, type ReplayResult } from '../../../projector/src/ops/index';
import { parseProjectorConfig, ProjectorConfigError } from '../../../projector/src/projector-config';
import { UsageError } from '../usage-error';

type Env = Readonly<Record<string, string | undefined>>;
type Out = (line: string) => void;

export interface ReplayFlags {
  readonly from?: string;
  readonly to?: string;
  readonly types?: string;
  readonly topic?: string;
  readonly rate?: string;
  readonly partitions?: string;
  readonly json: boolean;
}

// A date (UTC midnight) or a date-time with its zone: a time without a zone would mean the
// machine's local time, which an operator on another machine would read differently.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseTime(flag: string, raw: string | undefined): Date {
  const example = flag === '--from' ? '2026-11-01T00:00:00Z' : '2026-12-01T00:00:00Z';
  if (raw === undefined) throw new UsageError(`${flag} is required: an ISO time with its zone, e.g. ${flag} ${example} (the range is [--from, --to))`);
  const t = Date.parse(raw);
  if (!ISO_TIME.test(raw) || Number.isNaN(t)) throw new UsageError(`${flag} must be an ISO time with its zone, e.g. ${flag} ${example} (got "${raw}")`);
  return new Date(t);
}

/** The command line → a replay request; every mistake is a UsageError that says the fix. */
export function parseReplayFlags(flags: ReplayFlags, defaultTopic: string): ReplayRequest {
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  if (from.getTime() >= to.getTime())
    throw new UsageError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()}): the range is [--from, --to), e.g. --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z`);
  let types: string[] | undefined;
  if (flags.types !== undefined) {
    types = [...new Set(flags.types.split(',').map((t) => t.trim()))];
    if (types.some((t) => t === '')) throw new UsageError('--types needs a comma-separated list of event types without empty entries, e.g. --types MoneyMoved,ComplaintRaised');
  }
  let ratePerSecond: number | undefined;
  if (flags.rate !== undefined) {
    ratePerSecond = Number(flags.rate);
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) throw new UsageError(`--rate must be a positive number of events per second, e.g. --rate 500 (got "${flags.rate}")`);
  }
  let partitions: number | undefined;
  if (flags.partitions !== undefined) {
    partitions = Number(flags.partitions);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000)
      throw new UsageError(`--partitions must be a whole number from 1 to 10000, e.g. --partitions 12 (got "${flags.partitions}")`);
  }
  const topic = flags.topic ?? defaultTopic;
  return { from, to, topic, ...(types ? { types } : {}), ...(ratePerSecond !== undefined ? { ratePerSecond } : {}), ...(partitions !== undefined ? { partitions } : {}) };
}

/**
 * `c360 replay`: history recorded in [--from, --to) to a Kafka topic, keyed by customer. Reads
 * through the crypto-shredding store with the configured master keys (C360_MASTER_KEYS, or the
 * data dir's development keys), so personal fields go out decrypted and erased customers' read
 * as {"erased": true}. Progress on stderr; the result on stdout.
 */
export async function runReplay(flags: ReplayFlags, config: AppConfig, env: Env, out: Out): Promise<ReplayResult> {
  const request = parseReplayFlags(flags, config.kafka.topics.replay);
  if (!env['DATABASE_URL'])
    throw new UsageError("DATABASE_URL is not set: point it at the platform's database (the event store), e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/c360 npx c360 replay …");
  const brokers = config.kafka.brokers;
  if (!brokers || brokers.length === 0) throw new UsageError('KAFKA_BROKERS is not set: replay publishes to Kafka, e.g. KAFKA_BROKERS=127.0.0.1:9092 npx c360 replay …');
  let eventStoreSchema: string;
  try {
    eventStoreSchema = parseProjectorConfig(env).eventStoreSchema;
  } catch (e) {
    if (e instanceof ProjectorConfigError) throw new UsageError(`bad setting ${e.message}`, { cause: e });
    throw e;
  }
  const replay = createReplay({
    databaseUrl: env['DATABASE_URL'],
    eventStoreSchema,
    masterKeys: await resolveMasterKeys(config),
    kafka: { brokers, clientId: config.kafka.clientId, defaultPartitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor },
    reservedTopics: [config.kafka.topics.events, config.kafka.topics.deadLetters, config.kafka.topics.derived],
  });
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    replay.service.validate(request);
    const bar = flags.json
      ? undefined
      : new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} events | {rate} ev/s | ETA {eta_formatted}', noTTYOutput: true, notTTYSchedule: 1_000, etaBuffer: 50 });
    let started = false;
    const result = await replay.service.run(request, {
      signal: abort.signal,
      onProgress: (p) => {
        if (flags.json) out(JSON.stringify({ kind: 'progress', ...p }));
        if (!bar) return;
        if (!started) bar.start(Math.max(p.total, 1), 0, { rate: '0' });
        started = true;
        bar.update(p.published, { rate: p.ratePerSecond.toFixed(0) });
      },
    });
    bar?.stop();
    if (flags.json) out(JSON.stringify({ kind: 'result', ...result, from: request.from.toISOString(), to: request.to.toISOString(), types: request.types ?? null }));
    else
      out(
        `replay ${result.cancelled ? 'CANCELLED' : 'done'}: ${result.published} of ${result.total} events recorded in [${request.from.toISOString()}, ${request.to.toISOString()})` +
          `${request.types ? ` of types ${request.types.join(',')}` : ''} published to ${result.topic} in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.ratePerSecond.toFixed(0)} events/s)`,
      );
    if (result.cancelled) process.exitCode = 130;
    return result;
  } catch (e) {
    if (e instanceof OpsError && (e.code === OpsErrorCode.InvalidRequest || e.code === OpsErrorCode.ReplayTopicRefused)) throw new UsageError(e.message, { cause: e });
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await replay.close();
  }
}
