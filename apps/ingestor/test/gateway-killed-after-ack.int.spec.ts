import { createServer, Socket, type Server } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually } from '@c360/testing';
import { moneyMoved } from './fixtures';
import { createFaultEnv, expectStoreMatchesLedger, Ledger, postJson, spawnApp, startFaultIngestor, storedRows, waitForCount, type ChildApp, type FaultEnv } from './fault-harness';
import { messagesOnTopic } from './pipeline-harness';

/**
 * A front door for the gateway process that can kill it at the one moment F3 names: the gateway
 * has its Kafka ack (it is writing the 202) but the client has not had the answer. When armed,
 * the first response bytes coming back from the gateway are not forwarded: the gateway process
 * is SIGKILLed and the client's connection reset.
 */
interface KillSwitchProxy {
  readonly port: number;
  target: number;
  /** The next response triggers `onResponse` (the kill) instead of reaching the client. */
  arm(onResponse: () => void): void;
  readonly fired: number;
  close(): Promise<void>;
}

async function killSwitchProxy(initialTarget: number): Promise<KillSwitchProxy> {
  const sockets = new Set<Socket>();
  let armed: (() => void) | undefined;
  let fired = 0;
  const state = { target: initialTarget };
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.on('data', (chunk: Buffer) => {
      if (armed) {
        const kill = armed;
        armed = undefined;
        fired++;
        kill(); // the gateway dies with the answer in hand…
        client.resetAndDestroy(); // …and the client never gets it
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.connect(state.target, '127.0.0.1');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get target() {
      return state.target;
    },
    set target(port: number) {
      state.target = port;
    },
    arm: (onResponse) => {
      armed = onResponse;
    },
    get fired() {
      return fired;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * F3: the gateway is SIGKILLed after Kafka acknowledged a batch but before the client had the
 * 202. The client retries the same event ids (against the restarted gateway) until it gets an
 * answer: the events are on the topic twice, in the store once (I2), and every event answered
 * 202 is there in send order (I1, I4).
 */
describe('F3: gateway killed after the Kafka ack, before answering', () => {
  let p: FaultEnv;
  let ingestor: { app: NestFastifyApplication; url: string };
  let proxy: KillSwitchProxy;
  let gateway: ChildApp;
  const children: ChildApp[] = [];

  const startGateway = async (): Promise<void> => {
    gateway = await spawnApp('gateway', p);
    children.push(gateway);
    await gateway.live(90_000);
    proxy.target = Number(new URL(gateway.url).port);
  };

  beforeAll(async () => {
    p = await createFaultEnv('f3', { partitions: 3 });
    ingestor = await startFaultIngestor(p);
    proxy = await killSwitchProxy(1);
    await startGateway();
  }, 240_000);

  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await proxy?.close();
    await ingestor?.app.close().catch(() => undefined);
    await p?.cleanup();
  }, 60_000);

  it('the client retries the unanswered batch with the same ids: stored once, in order', async () => {
    const token = await p.token(['events:write']);
    const ledger = new Ledger();
    const ambiguous: string[][] = [];
    let amount = 0;
    const url = `http://127.0.0.1:${proxy.port}/v1/events`;

    /** One client, sequential: retries every unanswered batch with the same body until it is answered. */
    const sendBatch = async (customers: readonly string[]): Promise<void> => {
      const batch = customers.map((c) => moneyMoved(c, ++amount));
      for (;;) {
        const res = await postJson(url, token, batch, 30_000);
        if (res.status === 202) {
          for (const e of batch) ledger.accepted(e['eventId'] as string, `customer-${e['customerId'] as string}`);
          return;
        }
        expect([0, 503]).toContain(res.status); // a reset connection (ambiguous) or "not now": retry
        if (res.status === 0) ambiguous.push(batch.map((e) => e['eventId'] as string));
        // The gateway is gone: bring up another one behind the same address (as a supervisor would).
        if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) await startGateway();
        else await new Promise((r) => setTimeout(r, 200));
      }
    };
    const customers = ['F3A', 'F3B', 'F3C', 'F3D', 'F3E'];
    const round = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await sendBatch(customers.map((c, k) => customers[(k + i) % customers.length]!).concat(customers));
    };

    await round(20);
    for (let kill = 0; kill < 2; kill++) {
      const victim = gateway;
      proxy.arm(() => victim.child.kill('SIGKILL'));
      await round(10); // the first of these has its answer swallowed and its gateway killed
      expect(victim.child.signalCode).toBe('SIGKILL');
    }
    await round(10);
    expect(proxy.fired).toBe(2);
    expect(ambiguous.length).toBeGreaterThanOrEqual(2);

    // The killed gateways had published: the retried events are on the topic more than once…
    await expectEventually(async () => expect(await messagesOnTopic(p.topic)).toBeGreaterThanOrEqual(ledger.size + 2 * 10), { timeoutMs: 10_000, intervalMs: 200 });
    // …and in the store exactly once.
    await waitForCount(p.db.pool, ledger.size, 60_000);
    await expectEventually(async () => expect(await fetch(`${ingestor.url}/metrics`).then((r) => r.text())).toMatch(/^c360_ingestor_consumer_lag 0$/m), { timeoutMs: 30_000, intervalMs: 300 });
    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
    for (const ids of ambiguous) for (const id of ids) expect(ledger.has(id)).toBe(true);
  }, 400_000);
});
