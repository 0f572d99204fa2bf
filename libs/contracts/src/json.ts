/** JSON-compatible values: what event `data` may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Turns `data` of schema version v into version v + 1. Pure; never mutates its input. */
export type Upcaster = (data: JsonObject) => JsonObject;
