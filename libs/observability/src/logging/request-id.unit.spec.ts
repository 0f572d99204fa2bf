import type { IncomingMessage } from 'node:http';
import { assignRequestId } from './request-id';

const req = (header?: string): IncomingMessage & { id?: unknown } => ({ headers: header === undefined ? {} : { 'x-request-id': header } }) as IncomingMessage;

describe('assignRequestId', () => {
  it("keeps a caller's safe X-Request-Id and stores it on the request", () => {
    const r = req('abc-123.def:9');
    expect(assignRequestId(r)).toBe('abc-123.def:9');
    expect(r.id).toBe('abc-123.def:9');
  });

  it.each(['evil\r\nX-Injected: 1', 'with space', '', 'x'.repeat(129), '<script>'])('replaces unsafe %p with a UUID', (header) => {
    expect(assignRequestId(req(header))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('returns the same id when called again for the same request (Fastify, then pino-http)', () => {
    const r = req();
    expect(assignRequestId(r)).toBe(assignRequestId(r));
  });
});
