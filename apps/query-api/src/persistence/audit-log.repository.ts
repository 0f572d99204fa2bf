import type { SqlClient } from './sql-client';
import { assertIdentifier } from './sql-client';

/** One audit record. Holds who, what, when and whether personal data was shown — never personal values. */
export interface AuditEntry {
  readonly requestId: string | null;
  readonly client: string;
  readonly tokenId: string | null;
  readonly action: string;
  readonly customerId: string | null;
  readonly fields: readonly string[];
  readonly piiShown: boolean;
  readonly outcome: string;
  readonly detail: Readonly<Record<string, string | number | boolean | null | readonly string[]>>;
}

export interface AuditRecord extends AuditEntry {
  readonly id: string;
  readonly at: string;
}

export interface AuditQuery {
  readonly customerId?: string;
  readonly client?: string;
  readonly action?: string;
  readonly outcome?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Exclusive: records with a smaller id (newest first). */
  readonly beforeId?: string;
  readonly limit: number;
}

interface Row {
  id: string;
  at: Date;
  request_id: string | null;
  client: string;
  token_id: string | null;
  action: string;
  customer_id: string | null;
  fields: string[];
  pii_shown: boolean;
  outcome: string;
  detail: AuditEntry['detail'];
}

/** The append-only audit log (PostgreSQL; a trigger refuses UPDATE, DELETE and TRUNCATE). */
export class AuditLogRepository {
  private readonly table: string;

  constructor(
    private readonly db: SqlClient,
    schema: string,
  ) {
    this.table = `${assertIdentifier(schema)}.audit_log`;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.db.query({
      name: `c360-audit-append:${this.table}`,
      text: `INSERT INTO ${this.table} (request_id, client, token_id, action, customer_id, fields, pii_shown, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9::jsonb)`,
      values: [entry.requestId, entry.client, entry.tokenId, entry.action, entry.customerId, [...entry.fields], entry.piiShown, entry.outcome, JSON.stringify(entry.detail)],
    });
  }

  /**
   * Several records in one statement (one transaction, one WAL flush): all are stored, or none.
   * Rows keep the order given (ids ascend with it). One column array per field, so the text is
   * the same for any number of records and the statement is prepared once per connection.
   */
  async appendMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length === 1) return this.append(entries[0] as AuditEntry);
    const n = entries.length;
    const requestIds = new Array<string | null>(n);
    const clients = new Array<string>(n);
    const tokenIds = new Array<string | null>(n);
    const actions = new Array<string>(n);
    const customerIds = new Array<string | null>(n);
    const fields = new Array<string>(n);
    const piiShown = new Array<boolean>(n);
    const outcomes = new Array<string>(n);
    const details = new Array<string>(n);
    entries.forEach((e, i) => {
      requestIds[i] = e.requestId;
      clients[i] = e.client;
      tokenIds[i] = e.tokenId;
      actions[i] = e.action;
      customerIds[i] = e.customerId;
      fields[i] = textArrayLiteral(e.fields);
      piiShown[i] = e.piiShown;
      outcomes[i] = e.outcome;
      details[i] = JSON.stringify(e.detail);
    });
    await this.db.query({
      name: `c360-audit-append-many:${this.table}`,
      text: `INSERT INTO ${this.table} (request_id, client, token_id, action, customer_id, fields, pii_shown, outcome, detail)
       SELECT r, c, t, a, cu, f::text[], p, o, d::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[])
              WITH ORDINALITY AS x(r, c, t, a, cu, f, p, o, d, n)
        ORDER BY n`,
      values: [requestIds, clients, tokenIds, actions, customerIds, fields, piiShown, outcomes, details],
    });
  }

  async find(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.customerId !== undefined) add('customer_id = ?', q.customerId);
    if (q.client !== undefined) add('client = ?', q.client);
    if (q.action !== undefined) add('action = ?', q.action);
    if (q.outcome !== undefined) add('outcome = ?', q.outcome);
    if (q.from !== undefined) add('at >= ?', q.from);
    if (q.to !== undefined) add('at < ?', q.to);
    if (q.beforeId !== undefined) add('id < ?::bigint', q.beforeId);
    params.push(q.limit);
    const { rows } = await this.db.query<Row>(
      `SELECT id::text AS id, at, request_id, client, token_id, action, customer_id, fields, pii_shown, outcome, detail
         FROM ${this.table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      requestId: r.request_id,
      client: r.client,
      tokenId: r.token_id,
      action: r.action,
      customerId: r.customer_id,
      fields: r.fields,
      piiShown: r.pii_shown,
      outcome: r.outcome,
      detail: r.detail,
    }));
  }
}

/** A PostgreSQL text[] literal (`{"a","b"}`), every element quoted, `\\` and `"` escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map(quoteArrayElement).join(',')}}`;
}

/** One element of an array literal: quoted, `\\` and `"` escaped; null as NULL. */
export function quoteArrayElement(v: string | null): string {
  if (v === null) return 'NULL';
  return v.includes('"') || v.includes('\\') ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${v}"`;
}
