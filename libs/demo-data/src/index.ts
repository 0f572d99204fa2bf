/**
 * @c360/demo-data — a seeded synthetic bank (pure generation) and the streaming sender that posts
 * it through the platform's real intake endpoints. Generation imports only @c360/contracts and
 * @c360/customer-domain types; the sender uses the global fetch and nothing else.
 */
export * from './random/random';
export * from './bank/bank-options';
export * from './bank/native-wire';
export * from './bank/traffic-item';
export * from './bank/synthetic-bank';
export { RIVAL_BANKS, customerNumberOf } from './bank/customer-plan';
export * from './traffic/request-batches';
export * from './traffic/demo-sender';
