import type { IncomingMessage, ServerResponse } from 'node:http';
import { assignRequestId } from '../logging/request-id';
import { formatTraceparent } from './traceparent';
import { CORRELATION_ID_HEADER, runInTraceScope, traceScopeFromHeaders, type TraceScope } from './trace-scope';

/** W3C Trace Context level 2: the server's own span, so a caller can find the trace it started (or we did). */
export const TRACERESPONSE_HEADER = 'traceresponse';

/**
 * The trace scope of an HTTP request: the caller's `traceparent` when valid (a malformed one
 * is replaced by a new trace, never propagated), a new trace otherwise; the correlation id is
 * the caller's `X-Correlation-Id` when safe, else the request id. Echoed in the response.
 */
export function requestTraceScope(req: IncomingMessage & { id?: unknown }): TraceScope {
  const scope = traceScopeFromHeaders(req.headers, true);
  return { trace: scope.trace, correlationId: scope.correlationId ?? assignRequestId(req) };
}

/** Express-style middleware (Nest on Fastify runs it through middie): the rest of the request runs in its trace scope. */
export function traceContextMiddleware(req: IncomingMessage & { id?: unknown }, res: ServerResponse, next: () => void): void {
  const scope = requestTraceScope(req);
  if (!res.headersSent) {
    res.setHeader(TRACERESPONSE_HEADER, formatTraceparent(scope.trace));
    if (scope.correlationId !== undefined) res.setHeader(CORRELATION_ID_HEADER, scope.correlationId);
  }
  runInTraceScope(scope, next);
}
