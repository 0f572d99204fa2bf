// Jest globalSetup for integration and e2e tests: a real Kafka broker for the run.
// - KAFKA_BROKERS set: use that broker, start nothing.
// - the project broker (`npm run kafka:start`, state in .cache/kafka) is running: reuse it,
//   leave it running.
// - otherwise start one for this run with scripts/kafka/kafka.sh in a state directory of
//   the run's own (.cache/kafka-jest-<pid>), so parallel jest runs in one checkout never
//   stop each other's broker; global-teardown.cjs stops it and deletes its data.
//   With C360_KEEP_KAFKA set, the project broker is started instead and left running.
// KAFKA_BROKERS and C360_KAFKA_STATE are exported to the test workers.
// C360_NO_KAFKA=1 skips Kafka. If the broker cannot start, the run goes on (PostgreSQL
// suites can still pass) and Kafka suites fail with the reason (C360_KAFKA_START_ERROR).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../../..');
const script = path.join(root, 'scripts', 'kafka', 'kafka.sh');
const cacheDir = path.join(root, '.cache');
const sharedState = process.env.C360_KAFKA_STATE || path.join(cacheDir, 'kafka');

const kafka = (args, stateDir) =>
  spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
    env: { ...process.env, C360_KAFKA_STATE: stateDir },
  });

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

/** Brokers of earlier runs that died without their teardown (Ctrl-C, kill): stop them. */
function sweepOrphans() {
  if (!fs.existsSync(cacheDir)) return;
  for (const name of fs.readdirSync(cacheDir)) {
    const m = /^kafka-jest-(\d+)$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const dir = path.join(cacheDir, name);
    kafka(['stop', '--clean'], dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const warmUpKafka = require('./kafka-warm-up.cjs');

module.exports = async () => {
  if (process.env.C360_NO_KAFKA === '1') return;
  if (process.env.KAFKA_BROKERS) {
    await warmUpKafka(process.env.KAFKA_BROKERS);
    return;
  }
  sweepOrphans();
  const shared = kafka(['status'], sharedState);
  const keep = Boolean(process.env.C360_KEEP_KAFKA);
  const reuse = shared.status === 0;
  const stateDir = reuse || keep ? sharedState : path.join(cacheDir, `kafka-jest-${process.pid}`);
  const started = Date.now();
  const r = kafka(['start'], stateDir);
  const address = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !address) {
    const why =
      `${(r.stderr || '').trim().split('\n').slice(-5).join(' | ')}`.slice(0, 1000) ||
      `exit ${r.status}`;
    process.env.C360_KAFKA_START_ERROR = why;
    process.stderr.write(`\n[global-setup] Kafka broker did not start: ${why}\n`);
    return;
  }
  process.env.KAFKA_BROKERS = address;
  process.env.C360_KAFKA_STATE = stateDir;
  await warmUpKafka(address);
  // Only a broker of this run's own is stopped at teardown.
  globalThis.__C360_KAFKA_OWNED_STATE__ = reuse || keep ? undefined : stateDir;
  process.stderr.write(
    `\n[global-setup] Kafka at ${address} (${reuse ? 'project broker, already running' : `started in ${Date.now() - started} ms`}; state ${path.relative(root, stateDir)})\n`,
  );
};
