import { EXAMPLES_V1 } from '@c360/contracts';
import type { JsonObject, RecordedEvent } from '@c360/event-store';
import { toEventMessage } from '../../../gateway/src/intake/event-message';
import { toReplayMessage } from '../../../projector/src/ops/index';
import { UsageError } from '../usage-error';
import { parseReplayFlags } from './replay.command';

describe('replay', () => {
  it('publishes a stored event in exactly the gateway wire format (key, envelope, headers)', () => {
    const example = { ...EXAMPLES_V1.MoneyMoved, occurredAt: '2026-11-02T09:30:00.000Z' };
    const stored: RecordedEvent = {
      eventId: example.eventId,
      type: example.type,
      version: example.version,
      data: example.data as unknown as JsonObject,
      streamId: `customer-${example.customerId ?? ''}`,
      revision: 0,
      globalPosition: 1n,
      recordedAt: new Date(),
      occurredAt: new Date(example.occurredAt),
      correlationId: null,
      causationId: null,
      metadata: { source: { system: example.source.system, channel: example.source.channel ?? null }, subject: 'customerId' },
    };
    const viaGateway = toEventMessage(example);
    const replayed = toReplayMessage(stored);
    expect(replayed?.key).toBe(viaGateway.key);
    expect(replayed?.headers).toEqual(viaGateway.headers);
    expect(JSON.parse(String(replayed?.value))).toEqual(JSON.parse(String(viaGateway.value)));
    expect(toReplayMessage({ ...stored, streamId: 'identity-links' })).toBeNull();
  });

  it('parses the range, types, rate and partitions; defaults the topic', () => {
    expect(parseReplayFlags({ from: '2026-11-01', to: '2026-11-02T08:00:00+08:00', types: 'MoneyMoved, BranchVisited', rate: '250', partitions: '6', json: false }, 'c360.replay.v1')).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
      types: ['MoneyMoved', 'BranchVisited'],
      ratePerSecond: 250,
      partitions: 6,
      topic: 'c360.replay.v1',
    });
    expect(() => parseReplayFlags({ from: '2026-11-02', to: '2026-11-01', json: false }, 't')).toThrow(UsageError);
    expect(() => parseReplayFlags({ from: '2026-11-01', to: '2026-11-02', types: 'A,,B', json: false }, 't')).toThrow('--types needs a comma-separated list');
  });
});
