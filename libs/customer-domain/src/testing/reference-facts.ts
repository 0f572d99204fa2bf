import { dayFromNumber, dayNumber, daysBetween, isoDay } from '../calendar/calendar';
import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import {
  balancePointAt,
  daysSinceInteraction,
  interactionCounts,
  sumInWindow,
} from '../customer-360/customer-360.queries';
import type { Customer360State } from '../customer-360/customer-360.state';
import type { CustomerFacts, FactSheet } from '../segments/customer-facts';
import { evaluateRule, type RuleOutcome, type SegmentRule } from '../segments/segment-rule';
import {
  diffMembership,
  evaluateSegmentDirect,
  type SegmentDefinition,
  type SegmentEvaluation,
} from '../segments/segment-membership';
import type {
  CurrentMembership,
  MembershipStep,
  MembershipTransition,
} from '../derived/membership-step';
import { valueTier } from '../tiers/value-tiers';
import { describeChannelCosts, profitability } from '../valuation/profitability';
import { relationshipValue, toReportingMinor } from '../valuation/valuation';

/**
 * The straightforward customerFacts (one query per window), kept as the oracle the faster
 * one is tested against. Test support only: not exported from the library.
 */
const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export const referenceCustomerFacts = (
  state: Customer360State,
  now: Date | string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): FactSheet => {
  const v = config.valuation;
  const value = relationshipValue(state, v);
  const assetsValue = toReportingMinor(state.assetsMinor, v).valueMinor;
  const past = balancePointAt(state, dayFromNumber(dayNumber(isoDay(now)) - 90));
  const assetsValue90dAgo = past === null ? null : toReportingMinor(past.assetsMinor, v).valueMinor;
  const productCount = state.products.filter((p) => p.status === 'open').length;
  const c30 = interactionCounts(state, now, 30);
  const c90 = interactionCounts(state, now, 90);
  const total30 = c30.branch + c30.mobile + c30['call-centre'];
  const total90 = c90.branch + c90.mobile + c90['call-centre'];
  const salaryIn90d = toReportingMinor(sumInWindow(state, now, 90, 'salaryInMinor'), v).valueMinor;
  const outToOtherBanks90d = toReportingMinor(
    sumInWindow(state, now, 90, 'outToOtherBanksMinor'),
    v,
  ).valueMinor;
  const profit = profitability(state, now, config);
  const rmChange = state.relationshipManager?.changedAt ?? null;
  const facts: CustomerFacts = {
    tier: valueTier(value, config.tiers),
    region: state.profile.region,
    branchCode: state.profile.branchCode,
    kind: state.profile.kind,
    relationshipValue: value,
    assetsValue,
    assetsValue90dAgo,
    assetsGrowthPct90d:
      assetsValue90dAgo === null || assetsValue90dAgo <= 0
        ? null
        : ((assetsValue - assetsValue90dAgo) / assetsValue90dAgo) * 100,
    productCount,
    productCount90dAgo: past?.openProducts ?? null,
    productGrowth90d: past === null ? null : productCount - past.openProducts,
    interactions30d: total30,
    interactions90d: total90,
    branch30d: c30.branch,
    branch90d: c90.branch,
    mobile30d: c30.mobile,
    mobile90d: c90.mobile,
    callCentre30d: c30['call-centre'],
    callCentre90d: c90['call-centre'],
    digitalShare90d: ratio(c90.mobile, total90),
    branchShare90d: ratio(c90.branch, total90),
    daysSinceLastInteraction: daysSinceInteraction(state, now),
    salaryIn90d,
    hasSalary90d: salaryIn90d > 0,
    monthlyIncome90d: Math.round(salaryIn90d / 3),
    outToOtherBanks90d,
    outToOtherBanksShareOfIncome90d: ratio(outToOtherBanks90d, salaryIn90d),
    revenue90d: profit.revenueMinor,
    costToServe90d: profit.costToServeMinor,
    margin90d: profit.marginMinor,
    latestNps: state.latestNps?.score ?? null,
    latestCsat: state.latestCsat?.score ?? null,
    openComplaints: state.openComplaints.length,
    daysSinceManagerChange: rmChange === null ? null : Math.floor(daysBetween(rmChange, now)),
  };
  return { facts, explain: { costToServe90d: describeChannelCosts(profit.costByChannel) } };
};

/** The straightforward evaluateRule (every alternative evaluated), the oracle for the short-circuiting one. */
export const referenceEvaluateRule = (rule: SegmentRule, sheet: FactSheet): RuleOutcome => {
  if ('all' in rule) {
    const outcomes = rule.all.map((r) => referenceEvaluateRule(r, sheet));
    const failed = outcomes.find((o) => !o.holds);
    return (
      failed ?? { holds: true, reason: outcomes.map((o) => o.reason).join(' and ') || 'always' }
    );
  }
  if ('any' in rule) {
    const outcomes = rule.any.map((r) => referenceEvaluateRule(r, sheet));
    const passed = outcomes.find((o) => o.holds);
    return (
      passed ?? {
        holds: false,
        reason: outcomes.map((o) => o.reason).join(' and ') || 'no alternatives',
      }
    );
  }
  if ('not' in rule) {
    const inner = referenceEvaluateRule(rule.not, sheet);
    return { holds: !inner.holds, reason: `not (${inner.reason})` };
  }
  return evaluateRule(rule, sheet); // leaves are unchanged
};

const bySegment = <T extends { readonly segmentId: string }>(a: T, b: T): number =>
  a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0;

/** The straightforward reevaluateMembership: reference facts, no memo, full diff at every step. */
export const referenceReevaluateMembership = (
  current: readonly CurrentMembership[],
  definitions: readonly SegmentDefinition[],
  view: Customer360State,
  at: string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): MembershipStep => {
  const evaluations: SegmentEvaluation[] =
    view.mergedInto !== null
      ? definitions.map((d) => ({
          segmentId: d.id,
          version: d.version,
          member: false,
          reason: `merged into ${view.mergedInto ?? ''}`,
        }))
      : (() => {
          const sheet = referenceCustomerFacts(view, at, config);
          return definitions.map((d) => evaluateSegmentDirect(d, sheet));
        })();
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
    ...diff.entered.map((c) => ({
      segmentId: c.segmentId,
      version: c.version,
      since: at,
      reason: c.reason,
    })),
  ].sort(bySegment);
  return { transitions, members, evaluations };
};
