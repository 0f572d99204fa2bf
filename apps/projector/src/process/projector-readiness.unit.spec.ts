import type { ProjectionState, ProjectionStatus } from '@c360/projections';
import { databaseReadiness, projectionsReadiness } from './projector-readiness';

const runner = (name: string, state: ProjectionState): ProjectionStatus =>
  ({ name, state }) as Partial<ProjectionStatus> as ProjectionStatus;

describe('projector readiness', () => {
  it('is up only once every runner has started, and down while any failed or stopped', async () => {
    let runners: ProjectionStatus[] = [];
    const indicator = projectionsReadiness(() => runners);
    expect(indicator.name).toBe('projector');
    expect(await indicator.check()).toEqual({ up: false, details: { reason: 'not started' } });
    runners = [runner('customer-360', 'starting')];
    expect((await indicator.check()).up).toBe(false);
    runners = [runner('customer-360', 'catching-up'), runner('audit', 'live')];
    expect(await indicator.check()).toEqual({ up: true, details: { 'customer-360': 'catching-up', audit: 'live' } });
    for (const down of ['failed', 'stopped'] as const) {
      runners = [runner('customer-360', 'live'), runner('audit', down)];
      expect(await indicator.check()).toEqual({ up: false, details: { 'customer-360': 'live', audit: down } });
    }
  });

  it('reports the database up when it answers and lets a failing query count as down', async () => {
    const queries: string[] = [];
    const up = databaseReadiness({ query: async (sql) => void queries.push(sql) });
    expect(up.name).toBe('database');
    expect(await up.check()).toEqual({ up: true, details: { latencyMs: expect.any(Number) as unknown } });
    expect(queries).toEqual(['SELECT 1']);
    const down = databaseReadiness({ query: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) });
    await expect(down.check()).rejects.toThrow('ECONNREFUSED'); // the ReadinessRegistry turns a throw into "down"
  });
});
