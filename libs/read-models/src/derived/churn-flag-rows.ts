import type { StoredChurnFlag } from '@c360/projections';

/** An open churn flag as read from churn_flags (customer_id when the query spans customers). */
export interface ChurnFlagRow {
  customer_id?: string;
  flag_id: string;
  code: StoredChurnFlag['code'];
  reason: string;
  evidence_event_ids: string[];
  since: Date;
  raised_at: Date;
  rule_version: number;
}

const isoOf = (v: Date | string): string => new Date(v).toISOString();

export const toStoredFlag = (r: ChurnFlagRow): StoredChurnFlag => ({
  flagId: r.flag_id,
  code: r.code,
  reason: r.reason,
  evidenceEventIds: r.evidence_event_ids,
  since: isoOf(r.since),
  raisedAt: isoOf(r.raised_at),
  ruleVersion: r.rule_version,
});
