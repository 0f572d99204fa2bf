import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import type { Customer360State } from '../customer-360/customer-360.state';
import { customerFacts } from '../segments/customer-facts';
import {
  diffMembership,
  evaluateSegmentOnFacts,
  type SegmentDefinition,
  type SegmentEvaluation,
} from '../segments/segment-membership';

/** A customer's membership of one segment as stored. */
export interface CurrentMembership {
  readonly segmentId: string;
  readonly version: number;
  /** When the customer entered (evaluation time). */
  readonly since: string;
  readonly reason: string;
}

export interface MembershipTransition {
  readonly segmentId: string;
  readonly version: number;
  readonly change: 'entered' | 'left';
  readonly reason: string;
  readonly at: string;
}

export interface MembershipStep {
  readonly transitions: readonly MembershipTransition[];
  /** The membership after the step, sorted by segment id. */
  readonly members: readonly CurrentMembership[];
  readonly evaluations: readonly SegmentEvaluation[];
}

const bySegment = <T extends { readonly segmentId: string }>(a: T, b: T): number =>
  a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0;

/** True when each evaluation says member exactly for the segments the customer is in. */
const agrees = (current: readonly CurrentMembership[], evaluations: readonly SegmentEvaluation[]): boolean => {
  for (const e of evaluations) {
    let isMember = false;
    for (const m of current) if (m.segmentId === e.segmentId) isMember = true;
    if (e.member !== isMember) return false;
  }
  return true;
};

/**
 * Evaluates the given segment definitions for one customer and diffs them with its current
 * membership. Only the segments evaluated can change: memberships of segments not in
 * `definitions` are kept as they are (retiring a segment is an explicit operation, and a
 * worker holding an older list of definitions never drops a newer segment). A customer
 * merged into another is in no segment (its survivor carries its history).
 */
export const reevaluateMembership = (
  current: readonly CurrentMembership[],
  definitions: readonly SegmentDefinition[],
  view: Customer360State,
  at: string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): MembershipStep => {
  const evaluations: SegmentEvaluation[] =
    view.mergedInto !== null
      ? definitions.map((d) => ({ segmentId: d.id, version: d.version, member: false, reason: `merged into ${view.mergedInto ?? ''}` }))
      : (() => {
          const sheet = customerFacts(view, at, config);
          return definitions.map((d) => evaluateSegmentOnFacts(d, sheet));
        })();
  // The usual step: every evaluated segment agrees with the current membership, so there is
  // nothing to enter or leave and the members stay as they are (sorted, as below).
  if (agrees(current, evaluations)) return { transitions: [], members: [...current].sort(bySegment), evaluations };
  const evaluated = new Set(definitions.map((d) => d.id));
  const before: SegmentEvaluation[] = current
    .filter((m) => evaluated.has(m.segmentId))
    .map((m) => ({ segmentId: m.segmentId, version: m.version, member: true, reason: m.reason }));
  const diff = diffMembership(before, evaluations);
  const transitions: MembershipTransition[] = [
    ...diff.left.map((c) => ({ ...c, change: 'left' as const, at })),
    ...diff.entered.map((c) => ({ ...c, change: 'entered' as const, at })),
  ];
  const leaving = new Set(diff.left.map((c) => c.segmentId));
  const members: CurrentMembership[] = [
    ...current.filter((m) => !leaving.has(m.segmentId)),
    ...diff.entered.map((c) => ({ segmentId: c.segmentId, version: c.version, since: at, reason: c.reason })),
  ].sort(bySegment);
  return { transitions, members, evaluations };
};

/** What a candidate segment version would change for one customer (shadow runs). */
export interface ShadowMembershipChange {
  readonly segmentId: string;
  readonly change: 'enter' | 'leave';
  readonly reason: string;
}

/**
 * Compares a candidate definition with the customer's current membership of the same segment
 * id (which reflects the active version, or nothing for a new segment): would the customer
 * enter, leave, or stay as is (null)?
 */
export const shadowMembershipChange = (
  currentlyMember: boolean,
  candidate: SegmentDefinition,
  view: Customer360State,
  at: string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): ShadowMembershipChange | null => {
  const step = reevaluateMembership(
    currentlyMember ? [{ segmentId: candidate.id, version: 0, since: at, reason: '' }] : [],
    [candidate],
    view,
    at,
    config,
  );
  const t = step.transitions[0];
  if (t === undefined) return null;
  return { segmentId: t.segmentId, change: t.change === 'entered' ? 'enter' : 'leave', reason: t.reason };
};
