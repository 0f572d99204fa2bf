import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/** Real-broker helpers for integration tests. The broker is the project's own (scripts/kafka/kafka.sh). */

const repoRoot = resolve(__dirname, '../../..');
export const kafkaScript = join(repoRoot, 'scripts', 'kafka', 'kafka.sh');

/** The shared broker's state directory (where kafka.sh writes `brokers`). */
export const kafkaStateDir = (): string =>
  process.env['C360_KAFKA_STATE'] ?? join(repoRoot, '.cache', 'kafka');

/**
 * Bootstrap addresses of the test broker: KAFKA_BROKERS (comma separated; the jest
 * globalSetup sets it), else the state file of a broker started with `npm run kafka:start`.
 */
export function kafkaBrokers(): string[] {
  const fromEnv = process.env['KAFKA_BROKERS'];
  if (fromEnv)
    return fromEnv
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const file = join(kafkaStateDir(), 'brokers');
  if (existsSync(file)) {
    const addr = readFileSync(file, 'utf8').trim();
    if (addr) return [addr];
  }
  const why = process.env['C360_KAFKA_START_ERROR'];
  throw new Error(
    `No Kafka broker for tests: set KAFKA_BROKERS or run \`npm run kafka:start\`${why ? ` (start failed: ${why})` : ''}`,
  );
}

/** A topic name no other test (or earlier run) uses. */
export function uniqueTopic(prefix = 'test'): string {
  const clean = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 100);
  return `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Creates a topic (auto-creation is off on the test broker) and waits for its leaders. */
export async function createTopic(
  name: string,
  partitions: number,
  brokers: readonly string[] = kafkaBrokers(),
): Promise<void> {
  const admin = new Kafka({
    clientId: 'c360-test-admin',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(name)) return;
    await admin.createTopics({
      topics: [{ topic: name, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Runs scripts/kafka/kafka.sh with the given arguments; resolves with its stdout. */
export function runKafkaScript(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(
      'bash',
      [kafkaScript, ...args],
      { env: { ...process.env, ...env }, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (error)
          fail(new Error(`kafka.sh ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else ok(stdout.trim());
      },
    );
  });
}

export interface TestBroker {
  readonly brokers: readonly string[];
  readonly stateDir: string;
  /** SIGTERM (then SIGKILL after the timeout); data and ports are kept. */
  stop(): Promise<void>;
  /** Starts again on the same data directory and port. */
  start(): Promise<void>;
  /** stop() then start(): a broker restart as clients see it. */
  restart(): Promise<void>;
  /**
   * SIGSTOP: the broker stops answering but keeps its connections, and what clients write
   * meanwhile waits in its sockets (a long GC pause or a hung disk, as clients see it).
   */
  freeze(): void;
  /** SIGCONT: it reads and answers what arrived while frozen. */
  thaw(): void;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/** The pid of the broker kafka.sh started on this state directory. */
function brokerPid(stateDir: string): number {
  const pid = Number(readFileSync(join(stateDir, 'pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no broker pid in ${stateDir}/pid`);
  return pid;
}

/**
 * A broker of the test's own (own data directory and ports), for fault tests that stop or
 * restart it without disturbing other suites on the shared broker. ~5 s to start.
 */
export async function startDedicatedBroker(): Promise<TestBroker> {
  const stateDir = mkdtempSync(join(tmpdir(), 'c360-kafka-'));
  const env = { C360_KAFKA_STATE: stateDir, KAFKA_PORT: '', KAFKA_CONTROLLER_PORT: '' };
  const lastLine = (out: string): string => out.split('\n').pop() ?? '';
  const address = lastLine(await runKafkaScript(['start'], env));
  const handle: TestBroker = {
    brokers: [address],
    stateDir,
    stop: async () => {
      await runKafkaScript(['stop'], env);
    },
    start: async () => {
      const again = lastLine(await runKafkaScript(['start'], env));
      if (again !== address) throw new Error(`broker came back on ${again}, not ${address}`);
    },
    restart: async () => {
      await handle.stop();
      await handle.start();
    },
    freeze: () => process.kill(brokerPid(stateDir), 'SIGSTOP'),
    thaw: () => process.kill(brokerPid(stateDir), 'SIGCONT'),
    destroy: async () => {
      try {
        handle.thaw(); // a frozen broker would not stop
      } catch {
        // not running
      }
      await runKafkaScript(['stop', '--clean'], env);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Restarts the run's broker (C360_KAFKA_STATE) in place, same data and port: disturbs every suite on it. Prefer startDedicatedBroker(). */
export async function restartKafkaBroker(): Promise<void> {
  const env = { C360_KAFKA_STATE: kafkaStateDir() };
  await runKafkaScript(['stop'], env);
  await runKafkaScript(['start'], env);
}
