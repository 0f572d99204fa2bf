import { randomBytes } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), the `traceparent` header only:
 * `version-traceid-parentid-flags`, lower-case hex. No SDK: c360 carries the context from the
 * gateway through Kafka to the store and the derived topics, so one trace id can be followed
 * in the logs and in the stored events' metadata.
 */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zero: the span that sent the header. */
  readonly spanId: string;
  /** 2 hex digits; bit 0 is "sampled". */
  readonly flags: string;
}

export const TRACEPARENT_HEADER = 'traceparent';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const HEX2 = /^[0-9a-f]{2}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

/**
 * Parses a `traceparent` value strictly; anything malformed is `undefined` (the caller then
 * starts a new trace rather than propagate garbage). Version 00 must be exactly 55 characters;
 * a later version may carry more fields after a dash (parsed as 00, as the spec asks); version
 * ff is invalid. Upper-case hex, all-zero ids, whitespace and non-strings are refused.
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string' || value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (!HEX2.test(version) || version === 'ff') return undefined;
  if (version === '00' ? value.length !== 55 : value.length > 55 && value[55] !== '-') return undefined;
  if (value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!HEX32.test(traceId) || traceId === ZERO32) return undefined;
  if (!HEX16.test(spanId) || spanId === ZERO16) return undefined;
  if (!HEX2.test(flags)) return undefined;
  return { traceId, spanId, flags };
}

/** The header value, always version 00. */
export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`;
}

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (hex !== zero) return hex;
  }
}

/** A new trace (sampled): what the gateway starts when the caller sent none or a malformed one. */
export function newTraceContext(): TraceContext {
  return { traceId: randomHex(16, ZERO32), spanId: randomHex(8, ZERO16), flags: '01' };
}

/** The same trace, a new span id: what a hop sends onward after receiving `parent`. */
export function childTraceContext(parent: TraceContext): TraceContext {
  return { traceId: parent.traceId, spanId: randomHex(8, ZERO16), flags: parent.flags };
}
