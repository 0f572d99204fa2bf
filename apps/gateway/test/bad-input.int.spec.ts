import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BRANCH_TRANSACTION_EXAMPLE, MOBILE_EXAMPLE } from '../src/channels';
import { canonical, moneyMoved } from '../../ingestor/test/fixtures';
import { createPipelineEnv, messagesOnTopic, post, startGateway, type PipelineEnv } from '../../ingestor/test/pipeline-harness';

type Json = Record<string, unknown>;
const withData = (e: Json, data: Json): Json => ({ ...e, data: { ...(e['data'] as Json), ...data } });

/**
 * The gateway's bad-input table on the real broker: every case gets its clear 4xx
 * (problem+json with a code, and the item index and field path where there is one), and
 * nothing of any refused request reaches the topic (its offsets prove it).
 */
describe('gateway bad input', () => {
  let p: PipelineEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let events = '';
  let branch = '';
  let mobile = '';

  beforeAll(async () => {
    p = await createPipelineEnv('badinput', 2);
    gateway = await startGateway(p);
    events = await p.token(['events:write']);
    branch = await p.token(['channel:branch:write']);
    mobile = await p.token(['channel:mobile:write']);
  });

  afterAll(async () => {
    await gateway?.app.close();
    await p?.cleanup();
  });

  const raw = async (path: string, token: string | undefined, body: string, contentType?: string): Promise<{ status: number; body: Json; contentType: string }> => {
    const res = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Json, contentType: res.headers.get('content-type') ?? '' };
  };

  const big = (n: number): Json[] => Array.from({ length: n }, (_, i) => moneyMoved('C1', i + 1));

  // [name, path, token, body (object → JSON, string → raw), expected status, expected problem code, expected field error {index, path, code}?]
  const cases: Array<[string, string, () => string | undefined, unknown, number, string, { index: number; path: string; code: string }?]> = [
    ['malformed JSON', '/v1/events', () => events, '{"eventId": ', 400, 'malformed_json'],
    ['empty body', '/v1/events', () => events, '', 400, 'malformed_json'],
    ['JSON null', '/v1/events', () => events, 'null', 400, 'invalid_body'],
    ['a bare string', '/v1/events', () => events, '"hello"', 400, 'invalid_body'],
    ['empty batch', '/v1/events', () => events, [], 400, 'empty_batch'],
    ['wrong type', '/v1/events', () => events, withData(moneyMoved('C1', 1), { amountMinor: '100' }), 400, 'invalid_events', { index: 0, path: '/data/amountMinor', code: 'not-number' }],
    ['fractional minor units', '/v1/events', () => events, withData(moneyMoved('C1', 1), { amountMinor: 1.5 }), 400, 'invalid_events', { index: 0, path: '/data/amountMinor', code: 'not-integer' }],
    ['integer beyond 2^53', '/v1/events', () => events, JSON.stringify(moneyMoved('C1', 1)).replace('"amountMinor":1', '"amountMinor":9007199254740993'), 400, 'invalid_events', { index: 0, path: '/data/amountMinor', code: 'unsafe-integer' }],
    ['1e309', '/v1/events', () => events, JSON.stringify(moneyMoved('C1', 1)).replace('"amountMinor":1', '"amountMinor":1e309'), 400, 'invalid_events', { index: 0, path: '/data/amountMinor', code: 'not-finite' }],
    ['missing field', '/v1/events', () => events, (() => { const e = moneyMoved('C1', 1); delete (e['data'] as Json)['currency']; return e; })(), 400, 'invalid_events', { index: 0, path: '/data/currency', code: 'required' }],
    ['null where a value is needed', '/v1/events', () => events, withData(moneyMoved('C1', 1), { productId: null }), 400, 'invalid_events', { index: 0, path: '/data/productId', code: 'null-not-allowed' }],
    ['array for an object', '/v1/events', () => events, { ...moneyMoved('C1', 1), source: [] }, 400, 'invalid_events', { index: 0, path: '/source', code: 'not-object' }],
    ['unknown field', '/v1/events', () => events, { ...moneyMoved('C1', 1), extra: 1 }, 400, 'invalid_events', { index: 0, path: '/extra', code: 'unknown-field' }],
    ['unknown field in data', '/v1/events', () => events, withData(moneyMoved('C1', 1), { note: 'x' }), 400, 'invalid_events', { index: 0, path: '/data/note', code: 'unknown-field' }],
    ['unknown type', '/v1/events', () => events, { ...moneyMoved('C1', 1), type: 'MoneyTeleported' }, 400, 'invalid_events', { index: 0, path: '/type', code: 'unknown-type' }],
    ['future version', '/v1/events', () => events, { ...moneyMoved('C1', 1), version: 2 }, 400, 'invalid_events', { index: 0, path: '/version', code: 'unsupported-version' }],
    ['invalid uuid', '/v1/events', () => events, { ...moneyMoved('C1', 1), eventId: 'not-a-uuid' }, 400, 'invalid_events', { index: 0, path: '/eventId', code: 'invalid-uuid' }],
    ['date without a zone', '/v1/events', () => events, { ...moneyMoved('C1', 1), occurredAt: '2026-11-02T09:30:00' }, 400, 'invalid_events', { index: 0, path: '/occurredAt', code: 'missing-zone' }],
    ['impossible date', '/v1/events', () => events, { ...moneyMoved('C1', 1), occurredAt: '2026-02-30T09:30:00Z' }, 400, 'invalid_events', { index: 0, path: '/occurredAt', code: 'impossible-date' }],
    ['SQL injection in an identifier', '/v1/events', () => events, moneyMoved("C1'; DROP TABLE events;--", 1), 400, 'invalid_events', { index: 0, path: '/customerId', code: 'invalid-identifier' }],
    ['CRLF in an identifier', '/v1/events', () => events, moneyMoved('C1\r\nX-Injected: 1', 1), 400, 'invalid_events', { index: 0, path: '/customerId', code: 'invalid-identifier' }],
    ['bidi override in an identifier', '/v1/events', () => events, moneyMoved('C1\u202eX', 1), 400, 'invalid_events', { index: 0, path: '/customerId', code: 'bidi-control' }],
    ['lone surrogate in free text', '/v1/events', () => events, JSON.stringify(canonical('ComplaintResolved', { customerId: 'C1' })).replace(/"resolution":"[^"]*"/, '"resolution":"ok \\ud800"'), 400, 'invalid_events', { index: 0, path: '/data/resolution', code: 'lone-surrogate' }],
    ['NUL in free text', '/v1/events', () => events, withData(canonical('ComplaintResolved', { customerId: 'C1' }), { resolution: 'ok\u0000' }), 400, 'invalid_events', { index: 0, path: '/data/resolution', code: 'nul-character' }],
    ['__proto__ key', '/v1/events', () => events, '{"__proto__": {"polluted": true}, "eventId": "x"}', 400, 'forbidden_key'],
    ['constructor.prototype key', '/v1/events', () => events, JSON.stringify({ ...moneyMoved('C1', 1), constructor: { prototype: { polluted: true } } }), 400, 'forbidden_key'],
    ['a "constructor" key alone', '/v1/events', () => events, JSON.stringify({ ...moneyMoved('C1', 1), constructor: 1 }), 400, 'invalid_events', { index: 0, path: '/constructor', code: 'forbidden-key' }],
    ['deep nesting', '/v1/events', () => events, JSON.stringify(moneyMoved('C1', 1)).replace('"productId":"A-77"', `"productId":${'['.repeat(40)}${']'.repeat(40)}`), 400, 'invalid_events'],
    ['a batch with one bad item', '/v1/events', () => events, [moneyMoved('C1', 1), moneyMoved('C1', 2), withData(moneyMoved('C1', 3), { currency: 'yuan' }), moneyMoved('C1', 4)], 400, 'invalid_events', { index: 2, path: '/2/data/currency', code: 'invalid-currency' }],
    ['a batch over 1,000 items', '/v1/events', () => events, big(1001).map((e) => ({ eventId: e['eventId'] })), 413, 'batch_too_large'],
    ['same id, different body, in one batch', '/v1/events', () => events, (() => { const a = moneyMoved('C1', 1); return [a, { ...a, data: { ...(a['data'] as Json), amountMinor: 2 } }]; })(), 400, 'invalid_events', { index: 1, path: '/1', code: 'duplicate-event-id' }],
    ['bad native channel record', '/v1/channels/branch/events', () => branch, { ...BRANCH_TRANSACTION_EXAMPLE, transaction: { ...BRANCH_TRANSACTION_EXAMPLE.transaction, amount: 'lots' } }, 400, 'invalid_events'],
    ['canonical event on a channel route', '/v1/channels/mobile/events', () => mobile, moneyMoved('C1', 1), 400, 'invalid_events'],
    ['wrong channel credential', '/v1/channels/mobile/events', () => branch, MOBILE_EXAMPLE, 403, 'INSUFFICIENT_SCOPE'],
    ['channel credential on /v1/events', '/v1/events', () => branch, moneyMoved('C1', 1), 403, 'INSUFFICIENT_SCOPE'],
    ['no credential', '/v1/events', () => undefined, moneyMoved('C1', 1), 401, 'TOKEN_MISSING'],
    ['a forged token', '/v1/events', () => 'eyJhbGciOiJub25lIn0.eyJzY29wZSI6ImV2ZW50czp3cml0ZSJ9.', moneyMoved('C1', 1), 401, 'TOKEN_[A-Z_]+'],
  ];

  it.each(cases.map((c) => ({ name: c[0], expected: c[4], c })))('$name → $expected', async ({ c }) => {
    const [, path, token, body, status, code, fieldError] = c;
    const res = await raw(path, token(), typeof body === 'string' ? body : JSON.stringify(body), 'application/json');
    expect(res.status).toBe(status);
    expect(String(res.body['code'])).toMatch(new RegExp(`^${code}$`, 'i'));
    expect(res.contentType).toContain('application/problem+json');
    if (fieldError) expect(res.body['errors']).toEqual(expect.arrayContaining([expect.objectContaining(fieldError)]));
    // Messages never echo values.
    expect(JSON.stringify(res.body)).not.toContain('DROP TABLE');
  });

  it('refuses a wrong or missing content type with 415', async () => {
    const body = JSON.stringify(moneyMoved('C1', 1));
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await raw('/v1/events', events, body, ct);
      expect({ ct, status: res.status }).toEqual({ ct, status: 415 });
    }
    const none = await raw('/v1/events', events, body);
    expect([400, 415]).toContain(none.status);
  });

  it('refuses an oversized body with 413 before reading it all', async () => {
    const huge = JSON.stringify(big(1).map(() => ({ pad: 'x'.repeat(400 * 1024) })));
    const res = await raw('/v1/events', events, huge, 'application/json');
    expect(res.status).toBe(413);
    expect(res.body['code']).toBe('body_too_large');
  });

  it('published nothing for any refused request, and no prototype was polluted', async () => {
    expect(await messagesOnTopic(p.topic)).toBe(0);
    expect(({} as Json)['polluted']).toBeUndefined();
    // Still up and taking good input afterwards; injection strings in free text are data.
    const ok = await post(`${gateway.url}/v1/events`, events, [
      withData(canonical('ComplaintResolved', { customerId: 'C1' }), { resolution: "'); DROP TABLE events;-- <script>alert(1)</script> {{7*7}} 🙂 e\u0301" }),
    ]);
    expect(ok.status).toBe(202);
    expect(await messagesOnTopic(p.topic)).toBe(1);
  });

  it('documents each channel\'s native shape with its example in OpenAPI', async () => {
    const doc = (await fetch(`${gateway.url}/docs-json`).then((r) => r.json())) as { paths: Record<string, { post?: { requestBody?: { content?: Record<string, { examples?: Record<string, unknown> }> } } }> };
    for (const path of ['/v1/channels/branch/events', '/v1/channels/mobile/events', '/v1/channels/call-centre/events', '/v1/events']) {
      const examples = doc.paths[path]?.post?.requestBody?.content?.['application/json']?.examples;
      expect({ path, has: Object.keys(examples ?? {}).length > 0 }).toEqual({ path, has: true });
    }
  });
});
