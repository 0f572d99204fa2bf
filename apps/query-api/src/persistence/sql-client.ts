/** The slice of a database client the query API's repositories use (a pg Pool fits). */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names end up in SQL text: plain lower-case identifiers only. */
export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`invalid SQL identifier: ${name}`);
  return name;
}
