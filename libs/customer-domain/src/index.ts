/**
 * @c360/customer-domain — the business rules of c360 as pure functions: the customer-360
 * fold, value tiers, segment rules, churn rules and time travel. Imports only
 * @c360/contracts: no framework, no I/O, no clock.
 */
export * from './events/domain-event';
export * from './calendar/calendar';
export * from './config/domain-config';
export * from './customer-360/customer-360.state';
export * from './customer-360/customer-360.evolve';
export * from './customer-360/customer-360.fold';
export * from './customer-360/customer-360.queries';
export * from './valuation/valuation';
export * from './valuation/profitability';
export * from './tiers/value-tiers';
export * from './segments/customer-facts';
export * from './segments/segment-rule';
export * from './segments/segment-membership';
export * from './segments/built-in-segments';
export * from './segments/segment-clock';
export * from './churn/churn-config';
export * from './churn/churn-rules';
export * from './time-travel/time-travel';
export * from './derived/evaluation-time';
export * from './derived/membership-step';
export * from './derived/churn-step';
export * from './derived/survivor-steps';
