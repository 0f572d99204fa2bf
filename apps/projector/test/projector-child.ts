/**
 * Fault-test fixture: a projector process that prints its runner events as JSON lines.
 * stdin commands: `hold` — the next batch waits before its transaction until `go`
 * (so a test can freeze it with SIGSTOP at that point, holding no lock). Env: DATABASE_URL,
 * PROJECTOR_* (see projector-config.ts), CHURN_SWEEP_INTERVAL_MS and the other derived settings
 * (derived-config.ts).
 */
import { createInterface } from 'node:readline';
import { Projector } from '../src/projector';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { parseProjectorConfig } from '../src/projector-config';

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

let holdArmed = false;
let release: (() => void) | undefined;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'hold') holdArmed = true;
  if (line === 'go') release?.();
});

const projector = new Projector({
  config: parseProjectorConfig(process.env),
  derived: parseDerivedConfig(process.env),
  timeouts: { lockTimeoutMs: 2_000, idleInTransactionTimeoutMs: 2_000 },
  hooks: {
    onEvent: (event) => {
      const runner = projector.runners[0];
      print({ ...event, partitions: runner ? runner.status().partitions.length : 0 });
    },
    beforeTransaction: async (batch) => {
      if (!holdArmed || batch.events === 0) return;
      holdArmed = false;
      await new Promise<void>((resolve) => {
        release = resolve;
        print({ kind: 'holding', events: batch.events });
      });
    },
  },
});

process.on('SIGTERM', () => {
  void projector.stop().then(() => process.exit(0));
});

projector.start().then(
  () => print({ kind: 'started' }),
  (e: unknown) => {
    print({ kind: 'start-failed', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
