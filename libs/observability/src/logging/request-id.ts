import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// Only a conservative alphabet is trusted from callers: no CR/LF or spaces can reach logs or headers.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The correlation id of a request: the caller's X-Request-Id when it is safe, otherwise a
 * new UUID. Stored on the raw request so Fastify, pino-http and error bodies share one id.
 */
export function assignRequestId(req: IncomingMessage & { id?: unknown }): string {
  if (typeof req.id === 'string' && req.id.length > 0) return req.id;
  const header = req.headers[REQUEST_ID_HEADER];
  const id = typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
  req.id = id;
  return id;
}
