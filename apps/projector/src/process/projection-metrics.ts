import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProjectionState, ProjectionStatus } from '@c360/projections';

/** Every state a runner can be in, so `c360_projection_state` shows 0 for the others. */
const STATES = ['starting', 'catching-up', 'live', 'paused', 'stopped', 'failed'] as const satisfies readonly ProjectionState[];

type Labelled = { readonly projection: string };

/**
 * The projector's runners as Prometheus metrics, read from `status()` at scrape time (no timer,
 * nothing to stop): position and head, lag (events, seconds), rate, and the running totals
 * (applied events, committed batches, fenced writes, retries) per projection. The totals are
 * this process's own since it started, as counters are.
 */
export function registerProjectionMetrics(registry: Registry, status: () => readonly ProjectionStatus[]): void {
  const labelNames = ['projection'] as const;
  const gauge = (name: string, help: string, value: (s: ProjectionStatus) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Gauge<'projection'>) {
        this.reset();
        for (const s of status()) {
          const v = value(s);
          if (v !== null) this.set(labelsOf(s), v);
        }
      },
    });
  };
  const counter = (name: string, help: string, value: (s: ProjectionStatus) => number): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Counter<'projection'>) {
        this.reset();
        for (const s of status()) this.inc(labelsOf(s), value(s));
      },
    });
  };

  gauge('c360_projection_position', 'Global position every owned partition has applied up to (lowest checkpoint; a double, so approximate: compare with head, read lag from c360_projection_lag_*).', (s) => positionOf(s.position));
  gauge('c360_projection_head_position', 'Head of the event store as the runner last measured it (a double, approximate like the position).', (s) => positionOf(s.head));
  gauge('c360_projection_lag_events', 'Events of the handled types after the checkpoint (counted up to a cap).', (s) => s.lag.events);
  gauge('c360_projection_lag_seconds', 'Age of the oldest event not yet applied (0 when caught up).', (s) => s.lag.seconds);
  gauge('c360_projection_rate_events_per_second', 'Events applied per second over the last ~10 s.', (s) => s.ratePerSecond);
  gauge('c360_projection_partitions_owned', 'Customer partitions this worker holds.', (s) => s.partitions.length);
  counter('c360_projection_events_applied_total', 'Events applied to the read models by this process.', (s) => s.appliedEvents);
  counter('c360_projection_batches_committed_total', 'Batches committed (read models and checkpoint in one transaction).', (s) => s.committedBatches);
  counter('c360_projection_fenced_writes_total', 'Writes refused because a lease had moved to another worker.', (s) => s.fencedWrites);
  counter('c360_projection_retries_total', 'Batches retried after a transient failure.', (s) => s.retries);
  new Gauge({
    name: 'c360_projection_state',
    help: 'The runner state: 1 for the current one, 0 for the others.',
    labelNames: ['projection', 'state'] as const,
    registers: [registry],
    collect(this: Gauge<'projection' | 'state'>) {
      this.reset();
      for (const s of status()) for (const state of STATES) this.set({ ...labelsOf(s), state }, s.state === state ? 1 : 0);
    },
  });
}

const labelsOf = (s: ProjectionStatus): Labelled => ({ projection: s.name });

/**
 * Positions are bigint strings (PostgreSQL: transaction id << 64 | seq) and Prometheus values
 * doubles: the gauge keeps the order of magnitude and the trend, not the exact checkpoint (the
 * ops API has that). Lag is exported exactly, in events and seconds.
 */
const positionOf = (position: string | null): number | null => (position === null ? null : Number(position));
