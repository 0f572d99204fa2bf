import { ReadinessRegistry } from './readiness.registry';

describe('ReadinessRegistry', () => {
  it('is composed from registered indicators', async () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'database', check: async () => ({ up: true, details: { latencyMs: 2 } }) });
    const remove = registry.register({ name: 'consumer', check: async () => ({ up: false, details: { reason: 'stopped' } }) });
    expect(await registry.checkAll()).toEqual([
      { name: 'database', up: true, details: { latencyMs: 2 } },
      { name: 'consumer', up: false, details: { reason: 'stopped' } },
    ]);
    remove();
    expect((await registry.checkAll()).map((o) => o.name)).toEqual(['database']);
  });

  it('counts a throwing indicator as down without leaking its message', async () => {
    const registry = new ReadinessRegistry();
    registry.register({
      name: 'database',
      check: () => Promise.reject(Object.assign(new Error('password authentication failed for postgres://u:secret@db'), { code: '28P01' })),
    });
    const [outcome] = await registry.checkAll();
    expect(outcome).toEqual({ name: 'database', up: false, details: { reason: 'Error', code: '28P01' } });
    expect(JSON.stringify(outcome)).not.toContain('secret');
  });

  it('counts a hanging indicator as down after its timeout', async () => {
    jest.useFakeTimers();
    try {
      const registry = new ReadinessRegistry();
      registry.register({ name: 'broker', check: () => new Promise(() => undefined) });
      const pending = registry.checkAll();
      await jest.advanceTimersByTimeAsync(2_001);
      expect(await pending).toEqual([{ name: 'broker', up: false, details: { reason: 'no answer within 2000 ms' } }]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports not ready while draining for shutdown', async () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'database', check: async () => ({ up: true }) });
    registry.markDraining();
    expect((await registry.checkAll()).some((o) => !o.up && o.name === 'shutdown')).toBe(true);
  });

  it('refuses two indicators with one name', () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'database', check: async () => ({ up: true }) });
    expect(() => registry.register({ name: 'database', check: async () => ({ up: true }) })).toThrow(/already registered/);
  });
});
