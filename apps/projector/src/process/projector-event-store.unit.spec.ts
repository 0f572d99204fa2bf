import { loadConfig } from '@c360/config';
import { EventStoreSelectionError, MasterKeyring, ProtectedEventStore } from '@c360/event-store';
import { parseProjectorConfig } from '../projector-config';
import { openProjectorEventStore } from './projector-event-store';

/** EVENTSTORE_CONNECTION_STRING selects the standalone projector's store; no server is needed (both connect lazily). */
describe('the standalone projector selects its event store', () => {
  const projector = parseProjectorConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/never-connected' });
  const keys = MasterKeyring.fromConfig({ activeKeyId: 'k1', keys: { k1: Buffer.alloc(32, 3).toString('base64') } });
  const open = (env: Record<string, string>): ReturnType<typeof openProjectorEventStore> =>
    openProjectorEventStore(loadConfig({ C360_ENV: 'test', ...env }).eventStore, projector, keys);

  it('leaves PostgreSQL to the Projector (its own store, with the lag probe past the visibility horizon)', async () => {
    const store = open({});
    expect(store.kind).toBe('postgres');
    expect(store.eventStore).toBeUndefined();
    await store.close();
  });

  it.each(['esdb://127.0.0.1:2113?tls=false', 'kurrentdb://127.0.0.1:2113?tls=false'])('opens EventStoreDB for %s, decrypting with the master keys', async (cs) => {
    const store = open({ EVENTSTORE_CONNECTION_STRING: cs });
    expect(store.kind).toBe('eventstoredb');
    expect(store.eventStore).toBeInstanceOf(ProtectedEventStore);
    await store.close();
  });

  it('refuses a string the client cannot parse, naming the setting and not echoing it', () => {
    let error: unknown;
    try {
      open({ EVENTSTORE_CONNECTION_STRING: 'esdb://admin:s3cret@host:notaport' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventStoreSelectionError);
    expect((error as Error).message).toMatch(/^Invalid configuration: EVENTSTORE_CONNECTION_STRING .*expected port number/);
    expect((error as Error).message).not.toContain('s3cret');
  });
});
