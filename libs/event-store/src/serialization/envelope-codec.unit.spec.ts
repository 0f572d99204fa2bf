import { randomUUID } from 'node:crypto';
import type { JsonObject, NewEvent } from '../envelope';
import { EventStoreErrorCode, isEventStoreError } from '../errors';
import { bodyFingerprint, parseStoredMetadata, toRecordedEvent, toStoredEvent } from './envelope-codec';
import { EventTypeRegistry } from './event-type-registry';

// v1 had one `name`; v2 splits it into given and family names.
const registry = new EventTypeRegistry([
  {
    type: 'CustomerNamed',
    currentVersion: 2,
    upcasters: {
      1: (data: JsonObject): JsonObject => {
        const { name, ...rest } = data;
        const [given = '', ...family] = typeof name === 'string' ? name.split(' ') : [];
        return { ...rest, givenName: given, familyName: family.join(' ') };
      },
    },
  },
]);

const placement = {
  streamId: 'customer-C1',
  revision: 4,
  globalPosition: 99n,
  recordedAt: new Date('2026-11-02T10:00:00.000Z'),
};

describe('envelope codec', () => {
  it('round-trips every envelope field through the storage shape (JSON text, as adapters store it)', () => {
    const event: NewEvent = {
      eventId: randomUUID().toUpperCase(),
      type: 'CustomerNamed',
      version: 2,
      data: { givenName: 'Ada', familyName: 'Lovelace', tags: ['x', 1, null] },
      occurredAt: new Date('2026-11-02T09:30:00.123Z'),
      correlationId: 'corr-1',
      causationId: 'cause-1',
      metadata: { source: { system: 'core-banking', channel: 'branch' } },
    };
    const stored = toStoredEvent(event);
    // What leaves the process is JSON text; read it back from text.
    const fromText = JSON.parse(JSON.stringify(stored)) as { data: JsonObject; metadata: unknown };
    const recorded = toRecordedEvent(
      { eventId: stored.eventId, type: stored.type, data: fromText.data, metadata: parseStoredMetadata(fromText.metadata, stored.eventId) },
      placement,
      registry,
    );
    expect(recorded).toEqual({
      eventId: event.eventId.toLowerCase(),
      type: 'CustomerNamed',
      version: 2,
      data: event.data,
      ...placement,
      occurredAt: event.occurredAt,
      correlationId: 'corr-1',
      causationId: 'cause-1',
      metadata: event.metadata,
    });
  });

  it('upcasts a v1 event to v2 on read; the stored shape stays v1', () => {
    const v1: NewEvent = { eventId: randomUUID(), type: 'CustomerNamed', version: 1, data: { name: 'Ada King Lovelace', region: 'north' } };
    const stored = toStoredEvent(v1);
    const recorded = toRecordedEvent(stored, placement, registry);
    expect(recorded.version).toBe(2);
    expect(recorded.data).toEqual({ region: 'north', givenName: 'Ada', familyName: 'King Lovelace' });
    expect(stored.metadata.c360.schemaVersion).toBe(1);
    expect(stored.data).toEqual({ name: 'Ada King Lovelace', region: 'north' });
    // without a registry, the event comes back as stored
    expect(toRecordedEvent(stored, placement).data).toEqual(v1.data);
  });

  it('defaults occurredAt to the recording time and absent ids to null', () => {
    const recorded = toRecordedEvent(toStoredEvent({ eventId: randomUUID(), type: 'X', version: 1, data: {} }), placement);
    expect(recorded.occurredAt).toEqual(placement.recordedAt);
    expect(recorded.correlationId).toBeNull();
    expect(recorded.causationId).toBeNull();
    expect(recorded.metadata).toEqual({});
  });

  it('fingerprints bodies independently of key order, and tells different bodies apart', () => {
    const id = randomUUID();
    const a: NewEvent = { eventId: id, type: 'X', version: 1, data: { a: 1, b: { c: 2, d: 3 } } };
    const b: NewEvent = { eventId: id, type: 'X', version: 1, data: { b: { d: 3, c: 2 }, a: 1 } };
    expect(bodyFingerprint(a)).toBe(bodyFingerprint(b));
    expect(bodyFingerprint(a)).not.toBe(bodyFingerprint({ ...a, data: { a: 2, b: { c: 2, d: 3 } } }));
    expect(bodyFingerprint(a)).not.toBe(bodyFingerprint({ ...a, version: 2 }));
    expect(bodyFingerprint(a)).not.toBe(bodyFingerprint({ ...a, correlationId: 'c' }));
  });

  it('refuses a stored metadata document it cannot read, with a coded error', () => {
    for (const bad of [null, {}, { c360: { format: 2 } }, { c360: { format: 1, schemaVersion: 0, bodyHash: 'h', metadata: {} } }]) {
      let caught: unknown;
      try {
        parseStoredMetadata(bad, 'e-1');
      } catch (e) {
        caught = e;
      }
      expect(isEventStoreError(caught, EventStoreErrorCode.InvalidEvent)).toBe(true);
    }
  });
});
