// A consumer process for the SIGKILL test (kafkajs-kill.int.spec.ts), run through
// scripts/register.cjs: `node -r scripts/register.cjs kill-target.fixture.ts <brokers> <topic> <group> <hangAt>`.
// It prints `handled <n>` after each message's effect and hangs forever on message <hangAt>.
import { KafkaConsumerFactory } from '@c360/messaging';

const [brokers = '', topic = '', groupId = '', hangAt = '-1'] = process.argv.slice(2);
const consumer = new KafkaConsumerFactory({
  brokers: brokers.split(','),
  clientId: 'kill-target',
  log: () => undefined,
}).create({
  groupId,
  topics: [topic],
  maxBatchSize: 5,
  sessionTimeoutMs: 6000,
  handler: async (batch) => {
    for (const m of batch.messages) {
      const n = Number(m.value?.toString('utf8'));
      process.stdout.write(`handled ${n}\n`);
      if (n === Number(hangAt)) await new Promise<never>(() => undefined);
    }
  },
});
consumer.onEvent((e) => {
  if (e.type === 'committed') process.stdout.write(`committed ${e.offset}\n`);
});
void consumer.start();
