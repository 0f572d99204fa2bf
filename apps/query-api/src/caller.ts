import type { Principal } from '@c360/auth';

/** The scopes the query API checks (MISSION.md), plus the compliance scope it defines. */
export const QueryScope = {
  Read: 'customers:read',
  ReadPii: 'customers:read-pii',
  /**
   * Compliance: reads the personal data of a customer whose erasure waits for a legal
   * retention to end (nobody else sees it), and sets retentions. Defined by the query API;
   * add it to libs/auth STATIC_SCOPES so `c360 token` can mint it.
   */
  ReadRestricted: 'customers:read-restricted',
  Erase: 'customers:erase',
  Segments: 'segments:read',
  Churn: 'churn:read',
  Ops: 'ops:read',
} as const;

/** Who is asking, for authorisation decisions below the controller and for the audit log. */
export interface Caller {
  readonly subject: string;
  readonly tokenId: string | null;
  readonly scopes: ReadonlySet<string>;
  readonly requestId: string | null;
}

export const callerOf = (principal: Principal, requestId: unknown): Caller => ({
  subject: principal.subject,
  tokenId: principal.tokenId ?? null,
  scopes: principal.scopes,
  requestId: typeof requestId === 'string' ? requestId : null,
});
