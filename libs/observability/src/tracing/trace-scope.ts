import { AsyncLocalStorage } from 'node:async_hooks';
import { childTraceContext, formatTraceparent, newTraceContext, parseTraceparent, TRACEPARENT_HEADER, type TraceContext } from './traceparent';

/** Header that carries the request's correlation id on Kafka records (and HTTP: `x-correlation-id`). */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

// Only a conservative alphabet is trusted from callers: no CR/LF or spaces can reach logs or headers.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A safe correlation id, or undefined. */
export function safeCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_ID.test(value) ? value : undefined;
}

/** What travels with a unit of work: its trace context and the correlation id of the request it came from. */
export interface TraceScope {
  readonly trace: TraceContext;
  readonly correlationId?: string;
}

const storage = new AsyncLocalStorage<TraceScope>();

/** Runs `fn` with `scope` as the current trace scope (log lines written inside it carry its ids). */
export function runInTraceScope<T>(scope: TraceScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentTraceScope(): TraceScope | undefined {
  return storage.getStore();
}

/** The fields every log line written inside a scope carries (pino mixin). */
export function traceLogFields(scope: TraceScope | undefined = storage.getStore()): Record<string, string> {
  if (!scope) return {};
  return {
    traceId: scope.trace.traceId,
    spanId: scope.trace.spanId,
    ...(scope.correlationId !== undefined ? { correlationId: scope.correlationId } : {}),
  };
}

/**
 * Headers to put on an outgoing record sent from within `scope` (default: the current one): a
 * `traceparent` naming a new child span of the current one, and the correlation id. Empty
 * outside any scope.
 */
export function traceHeaders(scope: TraceScope | undefined = storage.getStore()): Record<string, string> {
  if (!scope) return {};
  return {
    [TRACEPARENT_HEADER]: formatTraceparent(childTraceContext(scope.trace)),
    ...(scope.correlationId !== undefined ? { [CORRELATION_ID_HEADER]: scope.correlationId } : {}),
  };
}

type HeaderBag = Readonly<Record<string, Buffer | Uint8Array | string | readonly (Buffer | string)[] | undefined>>;

function headerText(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  const first = Array.isArray(v) ? (v as readonly (Buffer | string)[])[0] : (v as Buffer | Uint8Array | string | undefined);
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : Buffer.from(first.buffer, first.byteOffset, first.byteLength).toString('utf8');
}

/**
 * The trace scope an incoming record or request carries: its `traceparent` when valid (a
 * malformed one is dropped) and its correlation id when safe. `undefined` when it carries no
 * valid `traceparent` and `orNew` is false; with `orNew`, a new trace is started instead.
 */
export function traceScopeFromHeaders(headers: HeaderBag, orNew: true): TraceScope;
export function traceScopeFromHeaders(headers: HeaderBag, orNew?: boolean): TraceScope | undefined;
export function traceScopeFromHeaders(headers: HeaderBag, orNew = false): TraceScope | undefined {
  const parsed = parseTraceparent(headerText(headers, TRACEPARENT_HEADER));
  const correlationId = safeCorrelationId(headerText(headers, CORRELATION_ID_HEADER));
  if (!parsed && !orNew) return undefined;
  return {
    trace: parsed ? childTraceContext(parsed) : newTraceContext(),
    ...(correlationId !== undefined ? { correlationId } : {}),
  };
}

/**
 * The trace as recorded in a stored event's metadata (`metadata.trace`): the `traceparent` of
 * the hop that stored it and the correlation id. The event stores leave this key out of their
 * idempotency comparison, so a retry under another trace is still the same event.
 */
export interface StoredTrace {
  readonly traceparent: string;
  readonly correlationId?: string;
}

export const STORED_TRACE_KEY = 'trace';

export function toStoredTrace(scope: TraceScope): StoredTrace {
  return { traceparent: formatTraceparent(scope.trace), ...(scope.correlationId !== undefined ? { correlationId: scope.correlationId } : {}) };
}

/** The scope recorded in a stored event's metadata, if any (malformed: none). */
export function traceScopeFromMetadata(metadata: Readonly<Record<string, unknown>> | null | undefined): TraceScope | undefined {
  const t = metadata?.[STORED_TRACE_KEY];
  if (typeof t !== 'object' || t === null) return undefined;
  const rec = t as Record<string, unknown>;
  const trace = parseTraceparent(rec['traceparent']);
  if (!trace) return undefined;
  const correlationId = safeCorrelationId(rec['correlationId']);
  return { trace, ...(correlationId !== undefined ? { correlationId } : {}) };
}
