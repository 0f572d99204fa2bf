// Jest globalTeardown: stops the Kafka broker global-setup.cjs started for this run, and
// deletes its data. Never one that was already running, one given by KAFKA_BROKERS, or the
// project broker started because C360_KEEP_KAFKA is set. Each project registers this file;
// only the first call acts.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const script = path.resolve(__dirname, '../../../scripts/kafka/kafka.sh');

module.exports = async () => {
  const stateDir = globalThis.__C360_KAFKA_OWNED_STATE__;
  if (!stateDir) return;
  globalThis.__C360_KAFKA_OWNED_STATE__ = undefined;
  spawnSync('bash', [script, 'stop', '--clean'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
    env: { ...process.env, C360_KAFKA_STATE: stateDir },
  });
  fs.rmSync(stateDir, { recursive: true, force: true });
};
