/** DI token of the Ops services (see ops-context.ts). */
export const OPS = Symbol('OPS');
