import type { IncomingMessage } from '@c360/messaging';
import { tracesOfBatch } from './events-consumer';

const PARENT_A = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const PARENT_B = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const record = (headers: Record<string, string>, offset = '0'): IncomingMessage => ({
  topic: 't',
  partition: 0,
  offset,
  key: null,
  value: Buffer.from('{}'),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, 'latin1')])),
  timestamp: 0,
});

describe('trace scopes of a batch', () => {
  it('gives the records of one request (same trace headers) one child span of their trace', () => {
    const traceOf = tracesOfBatch();
    const first = traceOf(record({ traceparent: PARENT_A, 'x-correlation-id': 'order-1' }, '1'));
    const second = traceOf(record({ traceparent: PARENT_A, 'x-correlation-id': 'order-1' }, '2'));
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(first?.trace.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(first?.trace.spanId).not.toBe('b7ad6b7169203331');
    expect(first?.correlationId).toBe('order-1');
  });

  it('keeps records of other requests apart: another traceparent, another correlation id, none', () => {
    const traceOf = tracesOfBatch();
    const a = traceOf(record({ traceparent: PARENT_A }));
    const b = traceOf(record({ traceparent: PARENT_B }));
    const aOtherCorrelation = traceOf(record({ traceparent: PARENT_A, 'x-correlation-id': 'order-2' }));
    expect(b?.trace.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(aOtherCorrelation).not.toBe(a);
    expect(aOtherCorrelation?.correlationId).toBe('order-2');
    expect(a?.correlationId).toBeUndefined();
    expect(traceOf(record({}))).toBeUndefined();
    expect(traceOf(record({ traceparent: 'garbage' }))).toBeUndefined();
  });

  it('does not mistake a header split differently between traceparent and correlation id for the same pair', () => {
    const traceOf = tracesOfBatch();
    const valid = traceOf(record({ traceparent: PARENT_A, 'x-correlation-id': 'x' }));
    const shifted = traceOf(record({ traceparent: `${PARENT_A}x`, 'x-correlation-id': '' }));
    expect(valid).toBeDefined();
    expect(shifted).toBeUndefined();
  });

  it('starts afresh for every batch (a redelivery gets its own span)', () => {
    const headers = { traceparent: PARENT_A };
    expect(tracesOfBatch()(record(headers))).not.toBe(tracesOfBatch()(record(headers)));
  });
});
