/** A table a projection writes, and the column that names the customer a row belongs to. */
export interface ProjectionTable {
  readonly table: string;
  /** null: not per customer (never deleted by a scoped refold). */
  readonly customerColumn: string | null;
}

/**
 * Which tables of a read-model schema belong to a projection, as a blue/green rebuild sees
 * them (docs/adr/003-blue-green-projection-rebuilds.md):
 * - `owned`: written only by the projection's fold — built in the shadow schema and swapped in;
 * - `reference`: data the fold reads (rule definitions edited at run time) — copied from the
 *   live schema into the shadow before folding, never swapped;
 * - `outbox`: derived events for downstream systems — facts already published are never
 *   retracted, so the shadow's rows are merged into the live outbox (by event id), not swapped.
 */
export interface ProjectionTableSet {
  readonly projection: string;
  readonly owned: readonly ProjectionTable[];
  readonly reference: readonly string[];
  readonly outbox: string | null;
}

const perCustomer = (table: string): ProjectionTable => ({ table, customerColumn: 'customer_id' });

/**
 * Keep in step with the migrations: a table a projection writes that is missing here would not be swapped.
 * Not here on purpose: `sweep_deadlines`, the clock sweepers' notes of when they next need each
 * customer. It is not the fold's, and each entry is void once the customer's row is rewritten (a swap
 * or a refold rewrites every row it touches), so it is never copied, swapped nor verified.
 */
export const PROJECTION_TABLE_SETS: Readonly<Record<string, ProjectionTableSet>> = {
  'customer-360': {
    projection: 'customer-360',
    owned: [
      perCustomer('customer_360'),
      perCustomer('customer_identity'),
      perCustomer('segment_membership'),
      perCustomer('segment_membership_history'),
      perCustomer('churn_flags'),
      perCustomer('customer_clock'),
    ],
    reference: ['segment_definitions', 'churn_rule_versions'],
    outbox: 'derived_outbox',
  },
};

export function projectionTableSet(projection: string): ProjectionTableSet | undefined {
  return Object.prototype.hasOwnProperty.call(PROJECTION_TABLE_SETS, projection) ? PROJECTION_TABLE_SETS[projection] : undefined;
}
