import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually, freePort } from '@c360/testing';
import { moneyMoved } from './fixtures';
import { createPipelineEnv, post, startGateway, storedEvents, streamsOf, type PipelineEnv } from './pipeline-harness';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The ingestor as a user runs it, in a process of its own (so that it can be SIGKILLed). */
async function spawnIngestor(p: PipelineEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts', 'register.cjs'), join(ROOT, 'apps', 'ingestor', 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...p.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

/**
 * F1: the ingestor is kill -9'd while it works through a backlog, then started again. Every
 * event answered 202 (the ledger) is in the store exactly once, per-customer order intact.
 */
describe('ingestor killed mid-batch (F1)', () => {
  let p: PipelineEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    p = await createPipelineEnv('crash', 3);
    gateway = await startGateway(p);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await gateway?.app.close();
    await p?.cleanup();
  });

  it('loses and duplicates nothing across a SIGKILL and restart', async () => {
    const token = await p.token(['events:write']);
    const ledger: { eventId: string; customer: string }[] = [];
    const send = async (batches: number): Promise<void> => {
      for (let b = 0; b < batches; b++) {
        const batch = Array.from({ length: 100 }, (_, i) => moneyMoved(`C${(b * 100 + i) % 40}`, ledger.length + i + 1));
        const res = await post(`${gateway.url}/v1/events`, token, batch);
        expect(res.status).toBe(202);
        for (const e of batch) ledger.push({ eventId: e['eventId'] as string, customer: e['customerId'] as string });
      }
    };
    await send(20); // a backlog of 2,000 before the ingestor starts

    const first = await spawnIngestor(p);
    children.push(first.child);
    // Kill it once it is part-way through the backlog.
    await expectEventually(async () => expect((await storedEvents(p.db)).length).toBeGreaterThan(200), { timeoutMs: 60_000, intervalMs: 50 }).catch((e: unknown) => {
      throw new Error(`${String(e)}\ningestor output:\n${first.output().slice(-3000)}`);
    });
    first.child.kill('SIGKILL');
    await new Promise<void>((r) => first.child.once('exit', () => r()));
    const atKill = (await storedEvents(p.db)).length;
    expect(atKill).toBeLessThan(ledger.length + 1);

    await send(5); // more arrives while it is down
    const second = await spawnIngestor(p);
    children.push(second.child);
    const rows = await expectEventually(
      async () => {
        const stored = await storedEvents(p.db);
        expect(stored.length).toBeGreaterThanOrEqual(ledger.length);
        return stored;
      },
      { timeoutMs: 80_000, intervalMs: 250 },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\ningestor output:\n${second.output().slice(-3000)}`);
    });
    second.child.kill('SIGTERM');

    expect(rows.length).toBe(ledger.length);
    expect(rows.map((r) => r.eventId).sort()).toEqual(ledger.map((l) => l.eventId).sort());
    // Per-customer order = the order the client sent them (revisions contiguous, checked by streamsOf).
    const streams = streamsOf(rows);
    const expected = new Map<string, string[]>();
    for (const l of ledger) expected.set(`customer-${l.customer}`, [...(expected.get(`customer-${l.customer}`) ?? []), l.eventId]);
    expect(streams).toEqual(expected);
  });
});
