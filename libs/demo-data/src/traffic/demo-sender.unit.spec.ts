import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSyntheticBank } from '../bank/synthetic-bank';
import { DEMO_ENDPOINT_PATHS, type CustomerTraffic } from '../bank/traffic-item';
import { DemoTrafficError, sendDemoTraffic } from './demo-sender';
import { planRequests } from './request-batches';

/**
 * The client under test is the sender; a loopback HTTP server plays the intake's wire contract
 * (202 + accepted count, 503 + Retry-After, 413, 400 problem+json with item indexes, 401), so the
 * retry, split and counting rules are exercised over real HTTP.
 */
const NOW = new Date('2026-11-28T10:17:00Z');

interface Received {
  readonly path: string;
  readonly items: readonly { eventId?: string; recordId?: string; callId?: string; batchId?: string }[];
}

type Behaviour = (req: IncomingMessage, items: readonly unknown[], n: number) => { status: number; body?: unknown; headers?: Record<string, string> } | null;

async function intake(behaviour: Behaviour): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/health/ready') {
      res.writeHead(200).end('{}');
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const items = JSON.parse(body) as Received['items'];
      n += 1;
      const answer = behaviour(req, items, n) ?? { status: 202, body: { accepted: items.length, events: [], consistencyToken: 'store:1' } };
      if (answer.status === 202) received.push({ path: req.url ?? '', items });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) }).end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const traffic = (customers: number): CustomerTraffic[] => [...createSyntheticBank({ customers, seed: 2, now: NOW }).customers()];
/** The server above counts items, not events: compare with a one-event-per-item view. */
const itemsOf = (cs: readonly CustomerTraffic[]) => cs.map((c) => ({ ...c, items: c.items.map((i) => ({ ...i, eventCount: 1 })) }));
const idOf = (x: Received['items'][number]): string => x.eventId ?? x.recordId ?? x.callId ?? x.batchId ?? '?';

describe('batching', () => {
  it('keeps within the item and byte limits and sends core banking first, late links last', () => {
    const customers = traffic(30).map((c) => c.items);
    const requests = planRequests(customers, { maxItems: 50, maxBytes: 20_000 });
    for (const r of requests) {
      expect(r.parts.length).toBeLessThanOrEqual(50);
      expect(Buffer.byteLength(`[${r.parts.join(',')}]`)).toBeLessThanOrEqual(20_000);
    }
    const order = requests.map((r) => r.endpoint).filter((e, i, all) => all[i - 1] !== e);
    expect(order).toEqual(['events', 'branch', 'mobile', 'call-centre', 'events']);
    expect(requests.reduce((s, r) => s + r.parts.length, 0)).toBe(customers.reduce((s, c) => s + c.length, 0));
  });
});

describe('sendDemoTraffic over HTTP', () => {
  it('posts every item to its endpoint once, and retries a 503 with the very same event ids', async () => {
    const cs = itemsOf(traffic(40));
    const failedOnce: string[] = [];
    const server = await intake((req, items, n) => {
      if (n % 3 === 1) {
        failedOnce.push(...(items as Received['items']).map(idOf));
        return { status: 503, body: { code: 'intake_unavailable' }, headers: { 'retry-after': '0' } };
      }
      return null;
    });
    try {
      const summary = await sendDemoTraffic(cs, cs.length, { baseUrl: server.url, token: 'a.b.c', concurrency: 3, chunkEvents: 300, limits: { maxItems: 100 } });
      const total = cs.reduce((s, c) => s + c.items.length, 0);
      expect(summary).toMatchObject({ customers: 40, sent: total, accepted: total });
      expect([summary.rejected, summary.failed]).toEqual([{}, {}]);
      expect(summary.retries).toBeGreaterThan(0);
      const delivered = server.received.flatMap((r) => r.items.map(idOf));
      expect(new Set(delivered).size).toBe(total);
      expect(delivered.length).toBe(total);
      for (const id of failedOnce) expect(delivered).toContain(id);
      const paths = new Set(server.received.map((r) => r.path));
      expect(paths).toEqual(new Set(Object.values(DEMO_ENDPOINT_PATHS)));
    } finally {
      await server.close();
    }
  });

  it('halves a batch over the body limit, and on a 400 counts the refused items by code and re-sends the rest', async () => {
    const cs = itemsOf(traffic(5));
    const server = await intake((_req, items) => {
      if (items.length > 20) return { status: 413, body: { code: 'batch_too_large' } };
      const badIndex = (items as Received['items']).findIndex((x) => idOf(x).endsWith('0'));
      if (badIndex >= 0) return { status: 400, body: { code: 'invalid_events', errors: [{ index: badIndex, path: `/${badIndex}/type`, code: 'unknown-type', message: 'x' }] } };
      return null;
    });
    try {
      const summary = await sendDemoTraffic(cs, cs.length, { baseUrl: server.url, token: 'a.b.c', concurrency: 1 });
      const total = cs.reduce((s, c) => s + c.items.length, 0);
      const refused = Object.values(summary.rejected).reduce((s, n) => s + n, 0);
      expect(refused).toBeGreaterThan(0);
      expect(Object.keys(summary.rejected)).toEqual(['unknown-type']);
      expect(summary.accepted + refused).toBe(total);
      expect(summary.sent).toBe(total);
    } finally {
      await server.close();
    }
  });

  it('stops at a 401 with the token hint, and says to start the platform when nothing listens', async () => {
    const cs = traffic(3);
    const server = await intake(() => ({ status: 401, body: { code: 'token_invalid' } }));
    try {
      await expect(sendDemoTraffic(cs, 3, { baseUrl: server.url, token: 'a.b.c' })).rejects.toThrow(/refused the token \(401\).*--token/);
    } finally {
      await server.close();
    }
    const closed = await intake(() => null);
    await closed.close();
    const error = await sendDemoTraffic(cs, 3, { baseUrl: closed.url, token: 'a.b.c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoTrafficError);
    expect((error as DemoTrafficError).code).toBe('unreachable');
    expect((error as Error).message).toContain('Start it with "npm start"');
  });
});
