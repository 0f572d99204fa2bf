// @c360/contracts — the canonical event catalogue, its validation schemas, versions and upcasters.
// The innermost layer: imports no other @c360 lib.
export * from './events/catalogue.v1';
export * from './events/examples.v1';
export * from './events/schemas.v1';
export * from './events/envelope.schema';
export * from './events/event-catalogue';
export * from './events/derived-events.v1';
export * from './events/validate-event';
export * from './json';
export * from './streams';
export * from './validation/field-error';
export * from './validation/fields';
export * from './validation/identity-rules';
export * from './validation/json-guard';
export * from './validation/schema-decorators';
export * from './validation/text-rules';
export * from './validation/validate-schema';
export { hasFastPlan } from './validation/fast-schema';
