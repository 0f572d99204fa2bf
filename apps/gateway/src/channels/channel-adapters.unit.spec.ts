import { CHANNELS, eventTypeDefinitions, validateCanonicalEvent } from '@c360/contracts';
import type { EventTypeDefinition } from '@c360/event-store';
import { CHANNEL_ADAPTERS } from './channel-adapters';
import { defaultMapperContext } from './shared/mapper-context';

describe('CHANNEL_ADAPTERS', () => {
  it('has one adapter per channel of the catalogue', () => {
    expect(Object.keys(CHANNEL_ADAPTERS).sort()).toEqual([...CHANNELS].sort());
  });

  it.each(CHANNELS)('%s: every documented example is accepted and maps to valid canonical events', (channel) => {
    const adapter = CHANNEL_ADAPTERS[channel];
    expect(Object.keys(adapter.examples).length).toBeGreaterThan(0);
    for (const example of Object.values(adapter.examples)) {
      const r = adapter.accept(JSON.parse(JSON.stringify(example)), defaultMapperContext());
      expect(r.ok).toBe(true);
      if (r.ok) for (const e of r.value) expect(validateCanonicalEvent(e).ok).toBe(true);
    }
  });

  it.each(CHANNELS)('%s: a canonical event posted to a channel endpoint is not a native payload', (channel) => {
    const r = CHANNEL_ADAPTERS[channel].accept({ eventId: 'x', type: 'MoneyMoved' }, defaultMapperContext());
    expect(r.ok).toBe(false);
  });
});

describe('contracts → event store registry', () => {
  it('eventTypeDefinitions() is assignable to the event store EventTypeDefinition (checked by tsc)', () => {
    const defs: readonly EventTypeDefinition[] = eventTypeDefinitions();
    expect(defs).toHaveLength(20);
  });
});
