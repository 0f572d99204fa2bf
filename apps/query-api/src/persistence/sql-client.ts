/** A statement the database prepares once per connection and reuses (name + fixed text). */
export interface PreparedQuery {
  /** Unique per text (the text includes the schema, so the name does too). */
  readonly name: string;
  readonly text: string;
  readonly values?: readonly unknown[];
}

/** The slice of a database client the query API's repositories use (a pg Pool fits). */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /**
   * A named statement: parsed and planned once per connection, not on every call. For the hot
   * paths (the live read, the audit INSERT), where planning costs the database more than running.
   */
  query<R extends object = Record<string, unknown>>(query: PreparedQuery): Promise<{ rows: R[] }>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names end up in SQL text: plain lower-case identifiers only. */
export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`invalid SQL identifier: ${name}`);
  return name;
}
