import type { ProjectionStatus } from '@c360/projections';
import type { IndicatorState, ReadinessIndicator } from '@c360/observability';

/** States in which a runner is not doing its job yet or any more (catching up is working). */
const NOT_RUNNING: ReadonlySet<string> = new Set(['starting', 'stopped', 'failed']);

/**
 * Up once every projection's runner has started (has taken its partitions and is catching up
 * or live) and none has failed or stopped; down before the projector started (no runners).
 * Details: each projection's state.
 */
export function projectionsReadiness(status: () => readonly ProjectionStatus[]): ReadinessIndicator {
  return {
    name: 'projector',
    check: async (): Promise<IndicatorState> => {
      const runners = status();
      const details = Object.fromEntries(runners.map((s) => [s.name, s.state]));
      return { up: runners.length > 0 && runners.every((s) => !NOT_RUNNING.has(s.state)), details: runners.length > 0 ? details : { reason: 'not started' } };
    },
  };
}

/** The database the read models, checkpoints and ops jobs live in answers (a throw or a hang counts as down). */
export function databaseReadiness(db: { query(sql: string): Promise<unknown> }): ReadinessIndicator {
  return {
    name: 'database',
    check: async (): Promise<IndicatorState> => {
      const started = Date.now();
      await db.query('SELECT 1');
      return { up: true, details: { latencyMs: Date.now() - started } };
    },
  };
}
