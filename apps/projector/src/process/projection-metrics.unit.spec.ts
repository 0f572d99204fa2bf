import { Registry } from 'prom-client';
import type { ProjectionStatus } from '@c360/projections';
import { registerProjectionMetrics } from './projection-metrics';

const status = (overrides: Partial<ProjectionStatus> = {}): ProjectionStatus => ({
  name: 'customer-360',
  version: 1,
  workerId: 'w1',
  state: 'live',
  partitions: [0, 1, 2, 3],
  position: '1200',
  head: '1500',
  lag: { events: 7, capped: false, seconds: 2.5, measuredAt: '2026-11-28T00:00:00.000Z' },
  ratePerSecond: 42.5,
  appliedEvents: 1234,
  committedBatches: 17,
  fencedWrites: 1,
  retries: 2,
  lastError: null,
  startedAt: '2026-11-28T00:00:00.000Z',
  ...overrides,
});

/** The value of one sample line, e.g. `c360_projection_lag_events{projection="customer-360"}`. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('projection metrics', () => {
  it("exports each runner's position, head, lag, rate and totals, read at scrape time", async () => {
    const registry = new Registry();
    let current: ProjectionStatus[] = [status(), status({ name: 'audit', state: 'catching-up', appliedEvents: 5, position: null, head: null })];
    registerProjectionMetrics(registry, () => current);

    const text = await registry.metrics();
    const c360 = '{projection="customer-360"}';
    expect(sample(text, `c360_projection_position${c360}`)).toBe(1200);
    expect(sample(text, `c360_projection_head_position${c360}`)).toBe(1500);
    expect(sample(text, `c360_projection_lag_events${c360}`)).toBe(7);
    expect(sample(text, `c360_projection_lag_seconds${c360}`)).toBe(2.5);
    expect(sample(text, `c360_projection_rate_events_per_second${c360}`)).toBe(42.5);
    expect(sample(text, `c360_projection_partitions_owned${c360}`)).toBe(4);
    expect(sample(text, `c360_projection_events_applied_total${c360}`)).toBe(1234);
    expect(sample(text, `c360_projection_batches_committed_total${c360}`)).toBe(17);
    expect(sample(text, `c360_projection_fenced_writes_total${c360}`)).toBe(1);
    expect(sample(text, `c360_projection_retries_total${c360}`)).toBe(2);
    expect(sample(text, 'c360_projection_state{projection="customer-360",state="live"}')).toBe(1);
    expect(sample(text, 'c360_projection_state{projection="customer-360",state="failed"}')).toBe(0);
    expect(sample(text, 'c360_projection_events_applied_total{projection="audit"}')).toBe(5);
    expect(sample(text, 'c360_projection_state{projection="audit",state="catching-up"}')).toBe(1);
    // No position yet: no sample rather than a made-up 0.
    expect(sample(text, 'c360_projection_position{projection="audit"}')).toBeUndefined();
    expect(text).toMatch(/# TYPE c360_projection_events_applied_total counter/);

    // The next scrape sees the runners as they are then (and none that have gone).
    current = [status({ appliedEvents: 2000, state: 'failed' })];
    const later = await registry.metrics();
    expect(sample(later, `c360_projection_events_applied_total${c360}`)).toBe(2000);
    expect(sample(later, 'c360_projection_state{projection="customer-360",state="failed"}')).toBe(1);
    expect(sample(later, 'c360_projection_state{projection="customer-360",state="live"}')).toBe(0);
    expect(later).not.toContain('projection="audit"');
  });
});
