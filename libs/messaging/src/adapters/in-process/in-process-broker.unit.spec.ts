import { expectEventually } from '@c360/testing';
import {
  InProcessBroker,
  PoisonMessageError,
  TopicDeadLetterSink,
  decodeDeadLetter,
  type BatchHandler,
  type IncomingMessage,
  type MessageConsumer,
} from '@c360/messaging';

const text = (m: IncomingMessage): string => m.value?.toString('utf8') ?? '';
const keyOf = (m: IncomingMessage): string => m.key?.toString('utf8') ?? '';

describe('in-process messaging adapter', () => {
  let broker: InProcessBroker;
  const consumers: MessageConsumer[] = [];
  const consume = (
    groupId: string,
    topics: string[],
    handler: BatchHandler,
    extra: Partial<Parameters<ReturnType<InProcessBroker['consumerFactory']>['create']>[0]> = {},
  ): MessageConsumer => {
    const c = broker
      .consumerFactory()
      .create({
        groupId,
        topics,
        handler,
        retry: { initialBackoffMs: 1, maxBackoffMs: 5 },
        ...extra,
      });
    consumers.push(c);
    return c;
  };

  beforeEach(async () => {
    broker = new InProcessBroker();
    await broker.ensureTopics([
      { name: 'events', partitions: 4 },
      { name: 'events.dlq', partitions: 1 },
    ]);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  it('keeps per-key order and delivers everything once when nothing fails', async () => {
    const publisher = broker.publisher();
    const keys = Array.from({ length: 12 }, (_, i) => `C${i}`);
    for (let seq = 0; seq < 40; seq += 1) {
      await publisher.publish(
        'events',
        keys.map((k) => ({ key: k, value: `${k}:${seq}` })),
      );
    }
    const seen = new Map<string, number[]>();
    const c = consume('g', ['events'], async (batch) => {
      for (const m of batch.messages) {
        const [k, seq] = text(m).split(':');
        seen.set(k ?? '', [...(seen.get(k ?? '') ?? []), Number(seq)]);
        expect(keyOf(m)).toBe(k);
      }
      await new Promise((r) => setImmediate(r)); // interleave partitions
    });
    await c.start();
    await expectEventually(() =>
      expect([...seen.values()].reduce((n, s) => n + s.length, 0)).toBe(480),
    );
    for (const k of keys) expect(seen.get(k)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await expectEventually(async () =>
      expect((await c.lag()).every((l) => l.lag === 0)).toBe(true),
    );
  });

  it('redelivers from the first unhandled message after a handler failure, in order', async () => {
    const publisher = broker.publisher();
    await publisher.publish(
      'events',
      Array.from({ length: 30 }, (_, i) => ({ key: 'same-customer', value: String(i) })),
    );
    const deliveries: number[] = [];
    let failedOnce = false;
    const c = consume('g', ['events'], async (batch, ctx) => {
      for (const m of batch.messages) {
        const n = Number(text(m));
        deliveries.push(n);
        if (n === 17 && !failedOnce) {
          failedOnce = true;
          throw new Error('downstream unavailable');
        }
        ctx.ack(m);
      }
    });
    await c.start();
    await expectEventually(() => expect(new Set(deliveries).size).toBe(30));
    // 0..17 once, then 17 again (the redelivery), then on in order.
    expect(deliveries).toEqual([
      ...Array.from({ length: 18 }, (_, i) => i),
      ...Array.from({ length: 13 }, (_, i) => i + 17),
    ]);
  });

  it('commits only after the handler has finished (at-least-once across a consumer restart)', async () => {
    const publisher = broker.publisher();
    await publisher.publish(
      'events',
      Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })),
    );
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first: number[] = [];
    const c1 = consume('g', ['events'], async (batch, ctx) => {
      for (const m of batch.messages) first.push(Number(text(m)));
      await Promise.race([
        gate,
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      ]);
    });
    await c1.start();
    await expectEventually(() => expect(first).toHaveLength(10));
    const lag = await broker.groupLag('g', ['events']);
    expect(lag.reduce((n, l) => n + l.lag, 0)).toBe(10); // handler not finished: nothing committed
    await c1.stop(); // "killed" mid-batch
    release();

    const second: number[] = [];
    const c2 = consume('g', ['events'], async (batch) => {
      for (const m of batch.messages) second.push(Number(text(m)));
    });
    await c2.start();
    await expectEventually(() => expect(second).toEqual(Array.from({ length: 10 }, (_, i) => i)));
    await expectEventually(async () =>
      expect((await broker.groupLag('g', ['events'])).every((l) => l.lag === 0)).toBe(true),
    );
  });

  it('aborts the handler signal at handlerTimeoutMs and retries the batch', async () => {
    await broker.publisher().publish('events', [{ key: 'k', value: 'slow' }]);
    let attempts = 0;
    const c = consume(
      'g',
      ['events'],
      async (_batch, ctx) => {
        attempts += 1;
        if (ctx.attempt === 1) {
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('timed out'))),
          );
        }
      },
      { handlerTimeoutMs: 50 },
    );
    await c.start();
    await expectEventually(async () =>
      expect((await c.lag()).every((l) => l.lag === 0)).toBe(true),
    );
    expect(attempts).toBe(2);
  });

  it('dead-letters a poison message whole (bytes, key, headers, reason) and moves the partition on', async () => {
    const publisher = broker.publisher();
    const garbage = Buffer.from([0xff, 0x00, 0xfe, 0x7b]);
    await publisher.publish('events', [
      { key: 'k', value: 'ok-1' },
      { key: 'k', value: garbage, headers: { 'content-type': 'application/json' } },
      { key: 'k', value: 'ok-2' },
    ]);
    const handled: string[] = [];
    const c = consume(
      'g',
      ['events'],
      async (batch) => {
        for (const m of batch.messages) {
          if (m.value?.equals(garbage))
            throw new PoisonMessageError(m, { code: 'UNDECODABLE', detail: 'not JSON' });
          handled.push(text(m));
        }
      },
      { deadLetter: { sink: new TopicDeadLetterSink(publisher) } },
    );
    const dead: IncomingMessage[] = [];
    const dlq = consume('dlq-reader', ['events.dlq'], async (batch) => {
      dead.push(...batch.messages);
    });
    await Promise.all([c.start(), dlq.start()]);
    await expectEventually(() => expect(dead).toHaveLength(1));
    await expectEventually(() => expect(handled).toContain('ok-2'));
    expect(handled.filter((h) => h === 'ok-1')).toHaveLength(1); // acked by the poison error, not redelivered
    const letter = decodeDeadLetter(dead[0] as IncomingMessage);
    expect(letter.reason).toEqual({ code: 'UNDECODABLE', detail: 'not JSON' });
    expect(letter.original.value?.equals(garbage)).toBe(true);
    expect(letter.original.key?.toString()).toBe('k');
    expect(letter.original.headers['content-type']?.toString()).toBe('application/json');
    expect(letter.original).toMatchObject({ topic: 'events', offset: '1' });
  });

  it('without a dead-letter sink, a poison message is retried, never dropped', async () => {
    await broker.publisher().publish('events', [{ key: 'k', value: 'bad' }]);
    let attempts = 0;
    const c = consume('g', ['events'], async (batch) => {
      attempts += 1;
      const m = batch.messages[0];
      if (m && attempts < 4) throw new PoisonMessageError(m, { code: 'X', detail: 'x' });
    });
    await c.start();
    await expectEventually(async () =>
      expect((await c.lag()).every((l) => l.lag === 0)).toBe(true),
    );
    expect(attempts).toBe(4);
  });

  it('refuses unknown topics (no auto-creation)', async () => {
    await expect(
      broker.publisher().publish('nope', [{ key: 'k', value: 'v' }]),
    ).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  });

  it('pause holds a partition back until resume', async () => {
    const publisher = broker.publisher();
    const got: string[] = [];
    const c = consume('g', ['events'], async (batch) => {
      got.push(...batch.messages.map(text));
    });
    c.pause('events');
    await c.start();
    await publisher.publish('events', [{ key: 'a', value: '1' }]);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([]);
    c.resume('events');
    await expectEventually(() => expect(got).toEqual(['1']));
  });

  it('shares partitions between members of a group and hands them over on stop', async () => {
    const publisher = broker.publisher();
    const seen: string[] = [];
    const handler: BatchHandler = async (batch) => {
      seen.push(...batch.messages.map(text));
    };
    const a = consume('g', ['events'], handler);
    const b = consume('g', ['events'], handler);
    await a.start();
    await b.start();
    expect(a.health().assigned.length + b.health().assigned.length).toBe(4);
    expect(b.health().assigned.length).toBe(2);
    await b.stop();
    expect(a.health().assigned).toHaveLength(4);
    await publisher.publish(
      'events',
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: String(i) })),
    );
    await expectEventually(() => expect(new Set(seen).size).toBe(20));
  });
});
