/**
 * Events c360 itself derives and publishes back to Kafka (segment entered/left, churn flag
 * raised/cleared). Same envelope as the canonical catalogue; `eventId` is deterministic
 * (customer + segment/flag + the revision that caused it), so a redelivery republishes the
 * same id and downstream consumers deduplicate on it.
 */
export const DERIVED_EVENT_TYPES = ['SegmentEntered', 'SegmentLeft', 'ChurnFlagRaised', 'ChurnFlagCleared'] as const;
export type DerivedEventType = (typeof DERIVED_EVENT_TYPES)[number];

export const DEFAULT_DERIVED_TOPIC = 'c360.derived.v1';

export interface SegmentChangeData {
  segmentId: string;
  ruleVersion: number;
  reason: string;
  /** The customer's own stream revision the evaluation saw. */
  revision: number;
}

export interface ChurnFlagData {
  flagId: string;
  code: string;
  reason: string;
  evidenceEventIds: string[];
  ruleVersion: number;
  riskScore: number;
  revision: number;
}

export interface DerivedEventDataV1 {
  SegmentEntered: SegmentChangeData;
  SegmentLeft: SegmentChangeData;
  ChurnFlagRaised: ChurnFlagData;
  ChurnFlagCleared: ChurnFlagData;
}

export type DerivedEvent<T extends DerivedEventType = DerivedEventType> = {
  [K in T]: {
    eventId: string;
    type: K;
    version: 1;
    occurredAt: string;
    source: { system: 'c360' };
    customerId: string;
    data: DerivedEventDataV1[K];
  };
}[T];
