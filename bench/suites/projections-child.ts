/**
 * Child process of the projections bench: a Projector (single mode, env as in
 * apps/projector's projector-config) run until it has applied BENCH_EXPECTED events.
 * Prints JSON lines: {kind:'started', at}, then {kind:'done', at, applied, seconds, rssMb}.
 * `at` is Date.now() so the parent can time against its own clock.
 */
import { Projector } from '../../apps/projector/src/projector';
import { parseProjectorConfig } from '../../apps/projector/src/projector-config';
import { parseDerivedConfig } from '../../apps/projector/src/derived/derived-config';

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

async function main(): Promise<void> {
  const expected = Number(process.env['BENCH_EXPECTED']);
  const config = parseProjectorConfig(process.env);
  // No churn sweeper: it evaluates against the clock, outside what is being measured.
  const derived = { ...parseDerivedConfig(process.env), sweepIntervalMs: 0 };
  const projector = new Projector({ config, derived });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await projector.start();
  print({ kind: 'started', at: Date.now() });
  let last = -1;
  for (;;) {
    const status = projector.status()[0];
    if (!status) throw new Error('no runner');
    if (status.state === 'failed') throw new Error(`projection failed: ${status.lastError?.message ?? '?'}`);
    if (status.appliedEvents >= expected) break;
    if (status.appliedEvents !== last && process.env['BENCH_PROGRESS']) {
      last = status.appliedEvents;
      process.stderr.write(`# applied ${last}/${expected}\n`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const applied = projector.status()[0]?.appliedEvents ?? 0;
  const cpu = process.cpuUsage(cpu0);
  print({ kind: 'done', at: Date.now(), applied, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024 });
  await projector.stop();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    print({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
