// Jest globalSetup for integration and e2e tests. Filled in by the Kafka harness.
module.exports = async () => {};
