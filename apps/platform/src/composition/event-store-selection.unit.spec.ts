import { Pool } from 'pg';
import { ConfigError, loadConfig } from '@c360/config';
import { eventTypeDefinitions } from '@c360/contracts';
import { EventStoreDbEventStore, EventTypeRegistry, PostgresEventStore, type EventStore } from '@c360/event-store';
import { selectEventStore } from './platform-resources';
import { parsePlatformSettings, PlatformSettingError } from './platform-settings';

/** EVENTSTORE_CONNECTION_STRING selects the store; no server is needed (both adapters connect lazily). */
describe('event store selection', () => {
  const pool = new Pool({ connectionString: 'postgres://127.0.0.1:1/never-connected' });
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const opened: EventStore[] = [];
  const select = (env: Record<string, string>): EventStore => {
    const config = loadConfig({ C360_ENV: 'test', ...env });
    const store = selectEventStore(config, pool, registry, parsePlatformSettings(config, env));
    opened.push(store);
    return store;
  };

  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await pool.end();
  });

  it('uses PostgreSQL when EVENTSTORE_CONNECTION_STRING is not set', () => {
    expect(select({})).toBeInstanceOf(PostgresEventStore);
  });

  it.each(['esdb://127.0.0.1:2113?tls=false', 'esdb+discover://a.example:2113,b.example:2113', 'kurrentdb://127.0.0.1:2113?tls=false'])('uses EventStoreDB for %s', (cs) => {
    expect(select({ EVENTSTORE_CONNECTION_STRING: cs })).toBeInstanceOf(EventStoreDbEventStore);
  });

  it('fails fast, naming the setting, when the client cannot parse the string (and does not echo it)', () => {
    let error: unknown;
    try {
      select({ EVENTSTORE_CONNECTION_STRING: 'esdb://admin:s3cret@host:notaport' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformSettingError);
    expect((error as PlatformSettingError).setting).toBe('EVENTSTORE_CONNECTION_STRING');
    expect((error as Error).message).toMatch(/^Invalid configuration: EVENTSTORE_CONNECTION_STRING must be .*expected port number/);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('is checked with the other per-app settings, before anything starts', () => {
    const env = { C360_ENV: 'test', EVENTSTORE_CONNECTION_STRING: 'esdb://host?tls=maybe' };
    expect(() => parsePlatformSettings(loadConfig(env), env)).toThrow(/^Invalid configuration: EVENTSTORE_CONNECTION_STRING must be .*expected true or false/);
  });

  it('refuses a string of another scheme at configuration time, naming the setting', () => {
    expect(() => loadConfig({ C360_ENV: 'test', EVENTSTORE_CONNECTION_STRING: 'postgres://127.0.0.1/events' })).toThrow(ConfigError);
    expect(() => loadConfig({ C360_ENV: 'test', EVENTSTORE_CONNECTION_STRING: 'postgres://127.0.0.1/events' })).toThrow(/EVENTSTORE_CONNECTION_STRING/);
  });
});
