// A fresh KRaft broker creates __consumer_offsets on the first group request; until it has,
// consumers see "group coordinator not available" and kafkajs crashes and restarts them.
// Ask for a group coordinator until the broker answers, so tests start on a warm broker.
const { Kafka, logLevel } = require('kafkajs');

module.exports = async function warmUpKafka(brokers, timeoutMs = 60_000) {
  const admin = new Kafka({ clientId: 'c360-warm-up', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  const deadline = Date.now() + timeoutMs;
  await admin.connect();
  try {
    for (;;) {
      try {
        await admin.describeGroups(['c360-warm-up']);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
};
