import { DEFAULT_DERIVED_TOPIC } from '@c360/contracts';
import {
  DEFAULT_DOMAIN_CONFIG,
  evaluationTime,
  reevaluateMembership,
  type CurrentMembership,
  type DomainConfig,
  type MembershipTransition,
} from '@c360/customer-domain';
import { segmentMessage } from './derived-events';
import type { DerivedRepositories, DerivedTrace, MembershipHistoryRow } from './derived.ports';
import type { DerivedView } from './derived-view';

export const SEGMENTS_VIEW = 'segments';

export interface SegmentsViewOptions {
  /** Tier thresholds, valuation and profitability the segment facts use (configuration). */
  readonly domain?: DomainConfig;
  readonly topic?: string;
}

const same = (a: CurrentMembership, b: CurrentMembership): boolean =>
  a.version === b.version && a.since === b.since && a.reason === b.reason;

/** The history rows of a customer's membership transitions, at a revision of its stream, for a cause. */
export const membershipHistoryRows = (
  customerId: string,
  transitions: readonly MembershipTransition[],
  revision: number,
  cause: string,
): MembershipHistoryRow[] =>
  transitions.map((t) => ({ customerId, segmentId: t.segmentId, change: t.change, at: t.at, ruleVersion: t.version, reason: t.reason, revision, cause }));

/**
 * Writes a membership change and its history, and queues the entered/left events in the
 * outbox, all in the caller's transaction (shared by the live view, activations and the
 * sweeper). `traceOf` gives the trace of a history row's cause (the event applied, or the
 * sweep), which its derived event carries.
 */
export async function persistMembership(
  repositories: Pick<DerivedRepositories, 'segments' | 'outbox'>,
  customerId: string,
  initial: readonly CurrentMembership[],
  final: readonly CurrentMembership[],
  history: readonly MembershipHistoryRow[],
  topic: string,
  traceOf: (cause: string) => DerivedTrace | undefined = () => undefined,
): Promise<void> {
  const before = new Map(initial.map((m) => [m.segmentId, m]));
  const after = new Set(final.map((m) => m.segmentId));
  const upsert = final.filter((m) => {
    const b = before.get(m.segmentId);
    return b === undefined || !same(b, m);
  });
  const remove = initial.filter((m) => !after.has(m.segmentId)).map((m) => m.segmentId);
  if (upsert.length === 0 && remove.length === 0 && history.length === 0) return;
  await repositories.segments.record(customerId, { upsert, remove }, history);
  if (history.length > 0)
    await repositories.outbox.enqueue(
      history.map((h) =>
        segmentMessage(topic, customerId, h.change === 'entered' ? 'SegmentEntered' : 'SegmentLeft', h.at, h.cause, {
          segmentId: h.segmentId,
          ruleVersion: h.ruleVersion,
          reason: h.reason,
          revision: h.revision,
        }, traceOf(h.cause)),
      ),
    );
}

/**
 * Segment membership: after each state the customer's view passes through, its active
 * segments are evaluated at the view's own time and diffed with the membership (entered /
 * left with rule version, reason and the event that caused it).
 */
export function segmentsView(options: SegmentsViewOptions = {}): DerivedView<DerivedRepositories> {
  const domain = options.domain ?? DEFAULT_DOMAIN_CONFIG;
  const topic = options.topic ?? DEFAULT_DERIVED_TOPIC;
  return {
    name: SEGMENTS_VIEW,
    version: 1,
    async prepare(customerIds, repositories) {
      if ((await repositories.segments.activeDefinitions()).length === 0) return;
      await repositories.segments.prefetch?.(customerIds);
    },
    async onChange(change, repositories) {
      const definitions = await repositories.segments.activeDefinitions();
      if (definitions.length === 0) return;
      if (change.replace) await repositories.segments.clear(change.customerId);
      const initial = change.replace ? [] : await repositories.segments.membershipOf(change.customerId);
      let members: readonly CurrentMembership[] = initial;
      const history: MembershipHistoryRow[] = [];
      // The clock watermark (a sweep may have moved the customer's time past its last event):
      // evaluating earlier than it would re-enter segments the sweep already left, out of time order.
      const sweptAt = await repositories.churn.sweptAt(change.customerId);
      for (const step of change.steps) {
        const at = evaluationTime(step.state, sweptAt);
        if (at === null) continue;
        const result = reevaluateMembership(members, definitions, step.state, at, domain);
        members = result.members;
        history.push(...membershipHistoryRows(change.customerId, result.transitions, step.state.position.lastRevision, step.cause));
      }
      // History rows are few: look their cause's trace up only for them.
      const traceOf = (cause: string): DerivedTrace | undefined => change.steps.find((s) => s.cause === cause)?.trace;
      await persistMembership(repositories, change.customerId, initial, members, history, topic, traceOf);
    },
  };
}
