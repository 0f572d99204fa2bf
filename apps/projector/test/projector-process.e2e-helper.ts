import { freePort } from '@c360/testing';
import { launch, type PlatformProcess } from '../../platform/test/platform-process.e2e-helper';

/** As the README starts it: one process (no wrapper), so a test's SIGKILL cannot leave a projector behind. */
export const PROJECTOR_MAIN = ['node', '-r', './scripts/register.cjs', 'apps/projector/src/main.ts'];

/** The settings every launch shares; the test runner's own DATABASE_URL and KAFKA_BROKERS never reach the child. */
export const projectorBaseEnv = (dataDir: string): Record<string, string> => ({
  C360_DATA_DIR: dataDir,
  LOG_LEVEL: 'info',
  EVENTSTORE_CONNECTION_STRING: '',
  PROJECTOR_PARTITIONS: '16',
});

/** A standalone projector process serving on PROJECTOR_PORT (`baseUrl`); PORT, the other apps' setting, is `decoyPort`. */
export interface ProjectorProcess extends PlatformProcess {
  readonly decoyPort: number;
}

/**
 * Starts `node … apps/projector/src/main.ts` with `env` (on top of nothing from the test
 * runner's DATABASE_URL / KAFKA_BROKERS). The launcher sets PORT (the other apps' setting) to
 * its port argument: it gets another free port, so a test sees the projector listen on PROJECTOR_PORT only.
 */
export async function launchProjector(env: Record<string, string>): Promise<ProjectorProcess> {
  const port = await freePort();
  const decoyPort = await freePort();
  const launched = launch(PROJECTOR_MAIN, { ...env, PROJECTOR_PORT: String(port) }, decoyPort);
  return { ...launched, baseUrl: `http://127.0.0.1:${port}`, decoyPort };
}

/** SIGKILL, if it still runs (after-all cleanup). */
export async function killProjector(p: PlatformProcess | undefined): Promise<void> {
  if (p && p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}
