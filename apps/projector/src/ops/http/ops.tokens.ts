/** DI token of the Ops services (see ops-context.ts). */
export const OPS = Symbol('OPS');
/** DI token of the OpsModule's options. */
export const OPS_MODULE_OPTIONS = Symbol('OPS_MODULE_OPTIONS');
