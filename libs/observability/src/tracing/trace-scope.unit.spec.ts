import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTraceparent } from './traceparent';
import { requestTraceScope, traceContextMiddleware } from './trace-middleware';
import { currentTraceScope, runInTraceScope, toStoredTrace, traceHeaders, traceLogFields, traceScopeFromHeaders, traceScopeFromMetadata } from './trace-scope';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('trace scope', () => {
  it('is empty outside a scope: no headers, no log fields', () => {
    expect(currentTraceScope()).toBeUndefined();
    expect(traceHeaders()).toEqual({});
    expect(traceLogFields()).toEqual({});
  });

  it('follows async work inside runInTraceScope and ends with it', async () => {
    const scope = { trace: parseTraceparent(VALID)!, correlationId: 'corr-1' };
    await runInTraceScope(scope, async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(traceLogFields()).toEqual({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', correlationId: 'corr-1' });
    });
    expect(currentTraceScope()).toBeUndefined();
  });

  it('injects a child traceparent and the correlation id, which extraction reads back', () => {
    const scope = { trace: parseTraceparent(VALID)!, correlationId: 'corr-1' };
    const headers = runInTraceScope(scope, () => traceHeaders());
    const sent = parseTraceparent(headers['traceparent']);
    expect(sent?.traceId).toBe(TRACE_ID);
    expect(sent?.spanId).not.toBe('00f067aa0ba902b7');
    expect(headers['x-correlation-id']).toBe('corr-1');
    // as a Kafka consumer receives them: bytes
    const received = traceScopeFromHeaders({ traceparent: Buffer.from(headers['traceparent']!), 'x-correlation-id': Buffer.from('corr-1') });
    expect(received?.trace.traceId).toBe(TRACE_ID);
    expect(received?.correlationId).toBe('corr-1');
  });

  it('drops a malformed traceparent: none on extraction, a new trace when asked for one', () => {
    const bad = { traceparent: 'not-a-trace', 'x-correlation-id': 'evil\r\nid' };
    expect(traceScopeFromHeaders(bad)).toBeUndefined();
    const fresh = traceScopeFromHeaders(bad, true);
    expect(fresh.trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.correlationId).toBeUndefined();
  });

  it('round-trips through stored metadata and ignores malformed stored traces', () => {
    const scope = { trace: parseTraceparent(VALID)!, correlationId: 'c' };
    const stored = toStoredTrace(scope);
    expect(stored).toEqual({ traceparent: VALID, correlationId: 'c' });
    expect(traceScopeFromMetadata({ trace: stored as unknown as Record<string, unknown> })).toEqual(scope);
    expect(traceScopeFromMetadata({ trace: { traceparent: 'garbage' } })).toBeUndefined();
    expect(traceScopeFromMetadata({})).toBeUndefined();
    expect(traceScopeFromMetadata(null)).toBeUndefined();
  });
});

describe('HTTP trace context', () => {
  const request = (headers: Record<string, string>): IncomingMessage & { id?: unknown } => ({ headers }) as unknown as IncomingMessage;

  it("continues the caller's trace and correlation id", () => {
    const scope = requestTraceScope(request({ traceparent: VALID, 'x-correlation-id': 'order-42' }));
    expect(scope.trace.traceId).toBe(TRACE_ID);
    expect(scope.trace.spanId).not.toBe('00f067aa0ba902b7');
    expect(scope.correlationId).toBe('order-42');
  });

  it('replaces a malformed traceparent with a new trace and falls back to the request id', () => {
    const scope = requestTraceScope(request({ traceparent: VALID.toUpperCase(), 'x-request-id': 'req-7' }));
    expect(scope.trace.traceId).not.toBe(TRACE_ID);
    expect(scope.trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(scope.correlationId).toBe('req-7');
  });

  it('runs the rest of the request in the scope and echoes traceresponse and the correlation id', () => {
    const set: Record<string, string> = {};
    const res = { headersSent: false, setHeader: (k: string, v: string) => (set[k] = v) } as unknown as ServerResponse;
    let inside: ReturnType<typeof currentTraceScope>;
    traceContextMiddleware(request({ traceparent: VALID }), res, () => (inside = currentTraceScope()));
    expect(inside?.trace.traceId).toBe(TRACE_ID);
    expect(parseTraceparent(set['traceresponse'])?.spanId).toBe(inside?.trace.spanId);
    expect(set['x-correlation-id']).toBe(inside?.correlationId);
  });
});
