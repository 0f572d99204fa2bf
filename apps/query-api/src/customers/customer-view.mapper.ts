import {
  BUILT_IN_SEGMENTS,
  DEFAULT_CHURN_CONFIG,
  DEFAULT_DOMAIN_CONFIG,
  churnRiskScore,
  evaluateChurn,
  memberSegments,
  interactionCounts,
  isErased,
  lastInteractionAsOf,
  profitability,
  relationshipValue,
  serviceQuality,
  valueTier,
  type ChurnConfig,
  type Customer360State,
  type DomainConfig,
  type SegmentDefinition,
} from '@c360/customer-domain';
import { identityMaskKind, maskField, type PersonalFieldKind } from '../masking/masking';
import type { CustomerViewDto, Disclosure, IdentityDto, PersonalFieldDto, TimelineEntryDto } from './customer-view.dto';

export const RECENT_TIMELINE_SIZE = 20;
export const SERVICE_QUALITY_WINDOW_DAYS = 90;

/** The view's sections, as recorded in the audit log (which fields a read exposed). */
export const CUSTOMER_VIEW_FIELDS = [
  'profile',
  'identities',
  'products',
  'balances',
  'interactions',
  'timeline',
  'complaints',
  'satisfaction',
  'relationshipManager',
  'tier',
  'segments',
  'churn',
  'profitability',
] as const;

export interface ViewContext {
  readonly view: CustomerViewDto['view'];
  /** Evaluation time of windows, churn, segments, profitability. */
  readonly at: Date;
  readonly disclosure: Disclosure;
  readonly restrictedUntil: Date | null;
  readonly domain?: DomainConfig;
  readonly churn?: ChurnConfig;
  readonly segments?: readonly SegmentDefinition[];
}

/**
 * A personal field for the reader: erased markers stay erased, restricted data is withheld,
 * masked or clear per the reader's scopes. Anything unreadable counts as unknown (null).
 */
export function disclose(kind: PersonalFieldKind, value: unknown, disclosure: Disclosure): PersonalFieldDto {
  if (value === null || value === undefined) return null;
  if (isErased(value)) return { erased: true };
  if (typeof value !== 'string') return null;
  switch (disclosure) {
    case 'clear':
      return value;
    case 'masked':
      return maskField(kind, value);
    case 'restricted':
      return { restricted: true };
  }
}

export function discloseIdentity(scheme: string, value: unknown, linkedAt: string, disclosure: Disclosure): IdentityDto {
  if (isErased(value)) return { scheme, value: { erased: true }, linkedAt };
  const kind = identityMaskKind(scheme);
  if (kind === null) return { scheme, value: typeof value === 'string' ? value : null, linkedAt };
  return { scheme, value: disclose(kind, value, disclosure), linkedAt };
}

const timelineEntry = (e: Customer360State['timeline'][number]): TimelineEntryDto => ({
  eventId: e.eventId,
  type: e.type,
  occurredAt: e.occurredAt,
  recordedAt: e.recordedAt,
  channel: e.channel,
  summary: e.summary,
});

const PROFILE_PERSONAL: readonly PersonalFieldKind[] = ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address'];

/** True once crypto-shredding has reached the profile (any personal field reads as erased). */
export const profileErased = (state: Customer360State): boolean => PROFILE_PERSONAL.some((k) => isErased(state.profile[k]));

/**
 * The customer-360 response, built explicitly from the domain state (never the entity) with
 * the domain's own read-side functions evaluated at `ctx.at`.
 */
export function toCustomerView(state: Customer360State, ctx: ViewContext): CustomerViewDto {
  const domain = ctx.domain ?? DEFAULT_DOMAIN_CONFIG;
  const churnConfig = ctx.churn ?? DEFAULT_CHURN_CONFIG;
  const at = ctx.at;
  const p = state.profile;
  const flags = evaluateChurn(state, at, churnConfig, domain);
  const value = relationshipValue(state, domain.valuation);
  const money = profitability(state, at, domain);
  const quality = serviceQuality(state, at, SERVICE_QUALITY_WINDOW_DAYS);
  const rm = state.relationshipManager;
  return {
    customerId: state.customerId,
    view: ctx.view,
    at: at.toISOString(),
    revision: state.position.lastRevision,
    personalData: ctx.disclosure,
    erased: profileErased(state),
    restriction: ctx.restrictedUntil ? { until: ctx.restrictedUntil.toISOString() } : null,
    mergedInto: state.mergedInto,
    mergedFrom: [...state.mergedFrom],
    profile: {
      customerNumber: p.customerNumber,
      kind: p.kind,
      fullName: disclose('fullName', p.fullName, ctx.disclosure),
      nationalId: disclose('nationalId', p.nationalId, ctx.disclosure),
      birthDate: disclose('birthDate', p.birthDate, ctx.disclosure),
      phone: disclose('phone', p.phone, ctx.disclosure),
      email: disclose('email', p.email, ctx.disclosure),
      address: disclose('address', p.address, ctx.disclosure),
      region: p.region,
      branchCode: p.branchCode,
      registeredAt: p.registeredAt,
    },
    identities: state.identities.map((i) => discloseIdentity(i.scheme, i.value, i.linkedAt, ctx.disclosure)),
    products: state.products.map((x) => ({
      productId: x.productId,
      productType: x.productType,
      currency: x.currency,
      status: x.status,
      openedAt: x.openedAt,
      closedAt: x.closedAt,
      closeReason: x.closeReason,
      balanceMinor: x.balanceMinor,
      balanceAsOf: x.balanceAsOf,
    })),
    relationshipBalanceMinor: { ...state.relationshipBalanceMinor },
    assetsMinor: { ...state.assetsMinor },
    lendingMinor: { ...state.lendingMinor },
    relationshipValueMinor: value,
    interactions: {
      last30Days: interactionCounts(state, at, 30),
      last90Days: interactionCounts(state, at, 90),
      lastByChannel: lastInteractionAsOf(state, at),
    },
    recentTimeline: state.timeline.slice(0, RECENT_TIMELINE_SIZE).map(timelineEntry),
    openComplaints: state.openComplaints.map((c) => ({ complaintId: c.complaintId, category: c.category, severity: c.severity, channel: c.channel, raisedAt: c.raisedAt })),
    complaintsResolved: state.complaintsResolved,
    satisfaction: {
      nps: state.latestNps ? { score: state.latestNps.score, at: state.latestNps.at } : null,
      csat: state.latestCsat ? { score: state.latestCsat.score, at: state.latestCsat.at } : null,
    },
    serviceQuality: { windowDays: SERVICE_QUALITY_WINDOW_DAYS, ...quality },
    relationshipManager: rm ? { managerId: rm.managerId, previousManagerId: rm.previousManagerId, since: rm.since, changedAt: rm.changedAt } : null,
    tier: valueTier(value, domain.tiers),
    segments: memberSegments(ctx.segments ?? BUILT_IN_SEGMENTS, state, at, domain).map((s) => ({ segmentId: s.segmentId, version: s.version, reason: s.reason })),
    churn: {
      riskScore: churnRiskScore(flags, churnConfig.weights),
      openFlags: flags.map((f) => ({ code: f.code, reason: f.reason, since: f.since, evidenceEventIds: [...f.evidenceEventIds] })),
    },
    profitability: {
      windowDays: money.windowDays,
      revenueMinor: money.revenueMinor,
      interestMarginMinor: money.interestMarginMinor,
      feesMinor: money.feesMinor,
      interchangeMinor: money.interchangeMinor,
      costToServeMinor: money.costToServeMinor,
      marginMinor: money.marginMinor,
      costByChannel: money.costByChannel.map((c) => ({ ...c })),
    },
  };
}

export { timelineEntry as toTimelineEntryDto };
