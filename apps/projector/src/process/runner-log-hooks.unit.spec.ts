import { runnerLogHooks } from './runner-log-hooks';

describe('runner log hooks', () => {
  it('logs state changes, a failure as an error, retries with their cause and fenced writes; not each committed batch', () => {
    const lines: string[] = [];
    const hooks = runnerLogHooks({ log: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) });
    const on = hooks.onEvent ?? ((): void => undefined);
    on({ kind: 'state', state: 'live' });
    on({ kind: 'committed', events: 10, customers: 3, position: '42' });
    on({ kind: 'retry', attempt: 2, delayMs: 400, failure: { message: 'relation "event_store.events" does not exist', code: '42P01', kind: 'fatal', at: '2026-11-28T00:00:00Z' } });
    on({ kind: 'fenced', partitions: [3, 7] });
    on({ kind: 'state', state: 'failed' });
    expect(lines).toEqual([
      'info a projection runner is live',
      'warn batch retry 2 in 400 ms: fatal 42P01 relation "event_store.events" does not exist',
      'warn lease moved: writes to partitions 3,7 were refused (another worker holds them)',
      expect.stringMatching(/^error a projection runner failed/) as unknown,
    ]);
  });
});
