import { CANONICAL_EVENT_TYPES, EVENT_CATALOGUE, eventTypeDefinitions, upcastData, type EventTypeDefinitionLike } from './event-catalogue';
import { PERSONAL_FIELDS } from './catalogue.v1';
import { validateCanonicalEvent } from './validate-event';

describe('EVENT_CATALOGUE', () => {
  it('lists the twenty v1 types of the brief', () => {
    expect(CANONICAL_EVENT_TYPES).toHaveLength(20);
  });

  it.each(CANONICAL_EVENT_TYPES)('%s: its example validates and round-trips unchanged', (type) => {
    const entry = EVENT_CATALOGUE[type];
    expect(entry.type).toBe(type);
    expect(entry.example.type).toBe(type);
    expect(entry.example.version).toBe(entry.currentVersion);
    const result = validateCanonicalEvent(JSON.parse(JSON.stringify(entry.example)));
    expect(result).toEqual({ ok: true, event: entry.example });
  });

  it.each(CANONICAL_EVENT_TYPES)('%s: entry is consistent (personal fields exist, current schema listed, no upcasters at v1)', (type) => {
    const entry = EVENT_CATALOGUE[type];
    expect(entry.personalFields).toEqual(PERSONAL_FIELDS[type]);
    const optionalOnly = type === 'ContactDetailsChanged';
    for (const field of entry.personalFields) {
      if (!optionalOnly) expect(Object.keys(entry.example.data)).toContain(field);
    }
    expect(entry.currentVersion).toBe(1);
    expect(entry.upcasters).toEqual({});
    expect(upcastData(entry, 1, { a: 1 })).toEqual({ a: 1 });
    expect(entry.description.length).toBeGreaterThan(10);
    expect(entry.schemas[entry.currentVersion]).toBe(entry.schema);
  });

  it('gives event-type definitions with versions, upcasters and personal fields', () => {
    const defs: EventTypeDefinitionLike[] = eventTypeDefinitions();
    expect(defs.map((d) => d.type).sort()).toEqual([...CANONICAL_EVENT_TYPES].sort());
    const registered = defs.find((d) => d.type === 'CustomerRegistered');
    expect(registered).toEqual({
      type: 'CustomerRegistered',
      currentVersion: 1,
      upcasters: {},
      personalFields: ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address'],
    });
  });
});
