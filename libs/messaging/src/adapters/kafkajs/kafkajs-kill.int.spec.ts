import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createTopic, expectEventually, kafkaBrokers, uniqueTopic } from '@c360/testing';
import {
  KafkaConsumerFactory,
  KafkaPublisher,
  KafkaTopicAdmin,
  type MessageConsumer,
} from '@c360/messaging';

// F1 at the messaging level: a consumer process SIGKILLed mid-batch. Offsets are committed
// only for finished chunks, so the new member gets the unfinished chunk again: nothing lost.
describe('consumer process killed mid-batch (SIGKILL)', () => {
  const brokers = kafkaBrokers();
  const connection = { brokers, clientId: 'kill-int', log: (): void => undefined };
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('redelivers everything after the last committed offset to the next member', async () => {
    const topic = uniqueTopic('kill');
    await createTopic(topic, 1);
    const n = 40;
    const publisher = new KafkaPublisher(connection);
    cleanups.push(() => publisher.close());
    // Sends of 5 (the fixture's chunk size): chunks never split a send.
    for (let s = 0; s < n / 5; s++)
      await publisher.publish(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: 'customer-1', value: String(s * 5 + i) })),
      );
    const groupId = uniqueTopic('kill-group');

    const root = resolve(__dirname, '../../../../..');
    const child = spawn(
      process.execPath,
      [
        '-r',
        resolve(root, 'scripts/register.cjs'),
        resolve(__dirname, 'kill-target.fixture.ts'),
        brokers.join(','),
        topic,
        groupId,
        '17',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((ok) =>
      child.on('exit', (_code, signal) => ok(signal)),
    );
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    await expectEventually(() => expect(out).toContain('handled 17\n'), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    expect(child.kill('SIGKILL')).toBe(true);
    expect(await exited).toBe('SIGKILL');
    const handledByKilled = out
      .split('\n')
      .filter((l) => l.startsWith('handled '))
      .map((l) => Number(l.slice(8)));
    expect(handledByKilled).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(out).toContain('committed 15\n');
    expect(out).not.toContain('committed 20\n');

    const received: number[] = [];
    const next: MessageConsumer = new KafkaConsumerFactory(connection).create({
      groupId,
      topics: [topic],
      sessionTimeoutMs: 6000,
      handler: async (batch) => {
        received.push(...batch.messages.map((m) => Number(m.value?.toString('utf8'))));
      },
    });
    cleanups.push(() => next.stop());
    await next.start();
    // 15, 16, 17 were handled by the killed process but never committed: they come again.
    await expectEventually(
      () => expect(received).toEqual(Array.from({ length: n - 15 }, (_, i) => i + 15)),
      { timeoutMs: 60_000 },
    );
    const admin = new KafkaTopicAdmin(connection);
    cleanups.push(() => admin.close());
    await expectEventually(
      async () => expect((await admin.groupLag(groupId, [topic])).map((l) => l.lag)).toEqual([0]),
      {
        timeoutMs: 20_000,
      },
    );
  });
});
