/** Default schema of the live read models; rebuilds target another one (blue/green, issue 6). */
export const DEFAULT_READ_MODEL_SCHEMA = 'read_models';

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names end up in SQL text: only plain lower-case identifiers are accepted. */
export function assertReadModelSchema(schema: string): string {
  if (!SCHEMA.test(schema)) throw new RangeError(`invalid read-model schema name: ${schema}`);
  return schema;
}
