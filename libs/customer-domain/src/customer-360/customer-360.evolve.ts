import {
  customerStreamId,
  type CanonicalEventDataV1,
  type CanonicalEventType,
  type Channel,
} from '@c360/contracts';
import { dayFromNumber, dayNumber, toIsoOrNull, toMs } from '../calendar/calendar';
import { personalValue, type DomainEvent } from '../events/domain-event';
import {
  ACTIVITY_WINDOW_DAYS,
  ASSET_PRODUCT_TYPES,
  CLOSED_PRODUCTS_LIMIT,
  OPEN_COMPLAINTS_LIMIT,
  RECENT_CLOSURES_LIMIT,
  RECENT_TRANSFERS_LIMIT,
  SALARY_DATES_LIMIT,
  TIMELINE_LIMIT,
  type BalancePoint,
  type Customer360State,
  type DayActivity,
  type ProductHolding,
  type SalaryHistory,
  type SurveyScore,
  type TimelineEntry,
} from './customer-360.state';

/** A v1 canonical event narrowed by its type name. */
type Typed = {
  [K in CanonicalEventType]: { type: K; data: CanonicalEventDataV1[K] };
}[CanonicalEventType];

const KNOWN_TYPES: ReadonlySet<string> = new Set<CanonicalEventType>([
  'CustomerRegistered',
  'ContactDetailsChanged',
  'ChannelIdentityLinked',
  'ChannelIdentityUnlinked',
  'CustomersMerged',
  'CustomersUnmerged',
  'RelationshipManagerAssigned',
  'ProductOpened',
  'ProductClosed',
  'BalanceReported',
  'MoneyMoved',
  'BranchVisited',
  'MobileSessionStarted',
  'MobileActionPerformed',
  'CallHandled',
  'ComplaintRaised',
  'ComplaintResolved',
  'SurveyAnswered',
  'OfferPresented',
  'OfferResponded',
]);

/** Data was validated at ingestion; the fold trusts its shape except for erasable fields. */
const narrow = (event: DomainEvent): Typed | null =>
  event.version === 1 &&
  KNOWN_TYPES.has(event.type) &&
  typeof event.data === 'object' &&
  event.data !== null
    ? ({ type: event.type, data: event.data } as Typed)
    : null;

interface Ctx {
  readonly event: DomainEvent;
  readonly at: string;
  readonly recordedAt: string;
  readonly day: string;
  /** The event comes from the customer's own stream (not from a merged-in customer). */
  readonly own: boolean;
}

/**
 * Applies one recorded event. Pure and idempotent on (stream, revision): an event at or
 * below the revision already applied for its stream returns the state unchanged, so
 * redeliveries are harmless. Unknown types and versions only advance the position.
 *
 * Merges: `CustomersMerged`/`CustomersUnmerged` record bookkeeping only; the merged
 * customer's history enters the survivor's view by re-folding the union of both streams
 * (see foldSurvivor), which is what lets an unmerge give back the exact earlier states.
 */
export const evolve = (state: Customer360State, event: DomainEvent): Customer360State => {
  const applied = state.position.byStream[event.streamId];
  if (applied !== undefined && event.revision <= applied) return state;

  const ownStreamId = customerStreamId(state.customerId);
  const own = event.streamId === ownStreamId;
  const position = {
    lastRevision: own ? event.revision : state.position.lastRevision,
    byStream: { ...state.position.byStream, [event.streamId]: event.revision },
    eventCount: state.position.eventCount + 1,
  };
  const typed = narrow(event);
  const at = toIsoOrNull(event.occurredAt);
  if (typed === null || at === null) return { ...state, position };

  const recordedAt = toIsoOrNull(event.recordedAt) ?? at;
  const ctx: Ctx = { event, at, recordedAt, day: at.slice(0, 10), own };
  if (typed.type === 'CustomersMerged' || typed.type === 'CustomersUnmerged') {
    return { ...applyMergeBookkeeping(state, typed, own), position };
  }
  const next = applyContent(state, typed, ctx);
  // The newest day, the window pruning and the timeline all land in one copy of the state.
  const latestDay = newestDay(next.latestActivityDay, ctx.day);
  return withTimeline(pruneToWindow(next, latestDay), typed, ctx, position, latestDay);
};

const applyMergeBookkeeping = (
  state: Customer360State,
  typed: Extract<Typed, { type: 'CustomersMerged' | 'CustomersUnmerged' }>,
  own: boolean,
): Customer360State => {
  if (!own) return state; // a merged-in customer's own merge history is not the survivor's
  const { survivorId, mergedId } = typed.data;
  const merging = typed.type === 'CustomersMerged';
  if (survivorId === state.customerId && mergedId !== state.customerId) {
    const others = state.mergedFrom.filter((id) => id !== mergedId);
    return { ...state, mergedFrom: merging ? [...others, mergedId].sort() : others };
  }
  if (mergedId === state.customerId) {
    return { ...state, mergedInto: merging ? survivorId : null };
  }
  return state;
};

const applyContent = (s: Customer360State, typed: Typed, ctx: Ctx): Customer360State => {
  switch (typed.type) {
    case 'CustomerRegistered': {
      if (!ctx.own) return s; // the survivor's profile stands; the merged one stays in its stream
      const d = typed.data;
      return {
        ...s,
        profile: {
          customerNumber: d.customerNumber,
          kind: d.kind,
          fullName: personalValue(d.fullName),
          nationalId: personalValue(d.nationalId),
          birthDate: personalValue(d.birthDate),
          phone: personalValue(d.phone),
          email: personalValue(d.email),
          address: personalValue(d.address),
          region: d.region,
          branchCode: d.branchCode,
          registeredAt: ctx.at,
        },
      };
    }
    case 'ContactDetailsChanged': {
      if (!ctx.own) return s;
      const d = typed.data as Record<string, unknown>;
      const p = s.profile;
      return {
        ...s,
        profile: {
          ...p,
          phone: 'phone' in d ? personalValue(d['phone']) : p.phone,
          email: 'email' in d ? personalValue(d['email']) : p.email,
          address: 'address' in d ? personalValue(d['address']) : p.address,
        },
      };
    }
    case 'ChannelIdentityLinked': {
      const { scheme, value } = typed.data;
      if (s.identities.some((i) => i.scheme === scheme && i.value === value)) return s;
      const identities = [...s.identities, { scheme, value, linkedAt: ctx.at }].sort((a, b) =>
        a.scheme === b.scheme ? cmp(a.value, b.value) : cmp(a.scheme, b.scheme),
      );
      return { ...s, identities };
    }
    case 'ChannelIdentityUnlinked': {
      const { scheme, value } = typed.data;
      return {
        ...s,
        identities: s.identities.filter((i) => !(i.scheme === scheme && i.value === value)),
      };
    }
    case 'RelationshipManagerAssigned': {
      if (!ctx.own) return s;
      const current = s.relationshipManager;
      const previous = typed.data.previousManagerId ?? current?.managerId ?? null;
      if (current !== null && toMs(current.since) > toMs(ctx.at)) return s; // a late, older assignment
      return {
        ...s,
        relationshipManager: {
          managerId: typed.data.managerId,
          previousManagerId: previous,
          since: ctx.at,
          changedAt: previous !== null && previous !== typed.data.managerId ? ctx.at : null,
          eventId: ctx.event.eventId,
        },
      };
    }
    case 'ProductOpened': {
      const d = typed.data;
      const existing = s.products.find((p) => p.productId === d.productId);
      const product: ProductHolding = {
        productId: d.productId,
        productType: d.productType,
        currency: d.currency,
        status: 'open',
        openedAt: ctx.at,
        closedAt: null,
        closeReason: null,
        balanceMinor: existing?.balanceMinor ?? 0,
        balanceAsOf: existing?.balanceAsOf ?? null,
      };
      return withBalancePoint(withProducts(s, upsertProduct(s.products, product)), ctx);
    }
    case 'ProductClosed': {
      const d = typed.data;
      const existing = s.products.find((p) => p.productId === d.productId);
      const product: ProductHolding = {
        productId: d.productId,
        productType: existing?.productType ?? d.productType,
        currency: existing?.currency ?? '',
        status: 'closed',
        openedAt: existing?.openedAt ?? null,
        closedAt: ctx.at,
        closeReason: d.reason,
        balanceMinor: existing?.balanceMinor ?? 0,
        balanceAsOf: existing?.balanceAsOf ?? null,
      };
      const closure = {
        eventId: ctx.event.eventId,
        at: ctx.at,
        productId: d.productId,
        productType: product.productType,
        reason: d.reason,
      };
      const productClosures = insertByTime(s.productClosures, closure).slice(
        -RECENT_CLOSURES_LIMIT,
      );
      return withBalancePoint(
        { ...withProducts(s, upsertProduct(s.products, product)), productClosures },
        ctx,
      );
    }
    case 'BalanceReported': {
      const d = typed.data;
      if (!Number.isFinite(d.balanceMinor)) return s;
      const existing = s.products.find((p) => p.productId === d.productId);
      if (existing?.balanceAsOf != null && d.asOfDate < existing.balanceAsOf) return s;
      // A balance for a product we never saw opened still exists at the bank: keep it.
      const product: ProductHolding = existing
        ? { ...existing, balanceMinor: d.balanceMinor, balanceAsOf: d.asOfDate }
        : {
            productId: d.productId,
            productType: 'current',
            currency: d.currency,
            status: 'open',
            openedAt: null,
            closedAt: null,
            closeReason: null,
            balanceMinor: d.balanceMinor,
            balanceAsOf: d.asOfDate,
          };
      return withBalancePoint(withProducts(s, upsertProduct(s.products, product)), ctx);
    }
    case 'MoneyMoved': {
      const d = typed.data;
      const amount = Number.isFinite(d.amountMinor) ? Math.abs(d.amountMinor) : 0;
      let next = s;
      if (d.direction === 'out' && d.kind === 'fee') {
        next = bump(next, ctx.day, (b) => ({
          ...b,
          feesMinor: addTo(b.feesMinor, d.currency, amount),
        }));
      }
      if (d.direction === 'out' && d.kind === 'card-payment') {
        next = bump(next, ctx.day, (b) => ({
          ...b,
          cardSpendMinor: addTo(b.cardSpendMinor, d.currency, amount),
        }));
      }
      if (d.direction === 'in' && d.kind === 'salary') {
        next = bump(next, ctx.day, (b) => ({
          ...b,
          salaryInMinor: addTo(b.salaryInMinor, d.currency, amount),
        }));
        next = { ...next, salary: withSalary(next.salary, ctx, amount, d.currency) };
      }
      if (
        d.direction === 'out' &&
        typeof d.counterpartyBank === 'string' &&
        d.counterpartyBank !== ''
      ) {
        const bank = d.counterpartyBank;
        next = bump(next, ctx.day, (b) => ({
          ...b,
          outToOtherBanksMinor: addTo(b.outToOtherBanksMinor, d.currency, amount),
        }));
        const transfer = {
          eventId: ctx.event.eventId,
          at: ctx.at,
          amountMinor: amount,
          currency: d.currency,
          counterpartyBank: bank,
        };
        next = {
          ...next,
          transfersToOtherBanks: insertByTime(next.transfersToOtherBanks, transfer).slice(
            -RECENT_TRANSFERS_LIMIT,
          ),
        };
      }
      return next;
    }
    case 'BranchVisited': {
      const wait = Number.isFinite(typed.data.waitMinutes)
        ? Math.max(0, typed.data.waitMinutes)
        : 0;
      const next = bump(s, ctx.day, (b) => ({
        ...b,
        interactions: { ...b.interactions, branch: b.interactions.branch + 1 },
        branchWaitMinutes: b.branchWaitMinutes + wait,
      }));
      return touch(next, 'branch', ctx);
    }
    case 'MobileSessionStarted': {
      // The session is the costed unit; actions inside it only refresh "last seen".
      const next = bump(s, ctx.day, (b) => ({
        ...b,
        interactions: { ...b.interactions, mobile: b.interactions.mobile + 1 },
      }));
      return touch(next, 'mobile', ctx);
    }
    case 'MobileActionPerformed':
      return touch(s, 'mobile', ctx);
    case 'CallHandled': {
      const outcome = typed.data.outcome;
      const next = bump(s, ctx.day, (b) => ({
        ...b,
        interactions: { ...b.interactions, 'call-centre': b.interactions['call-centre'] + 1 },
        callsResolved: b.callsResolved + (outcome === 'resolved' ? 1 : 0),
        callsAbandoned: b.callsAbandoned + (outcome === 'abandoned' ? 1 : 0),
      }));
      return touch(next, 'call-centre', ctx);
    }
    case 'ComplaintRaised': {
      const d = typed.data;
      if (s.openComplaints.some((c) => c.complaintId === d.complaintId)) return s;
      if (s.openComplaints.length >= OPEN_COMPLAINTS_LIMIT) return s; // keep the oldest: they breach first
      const complaint = {
        complaintId: d.complaintId,
        category: d.category,
        severity: d.severity,
        channel: d.channel,
        raisedAt: ctx.at,
        eventId: ctx.event.eventId,
      };
      const openComplaints = [...s.openComplaints, complaint].sort(
        (a, b) => toMs(a.raisedAt) - toMs(b.raisedAt) || cmp(a.complaintId, b.complaintId),
      );
      return { ...s, openComplaints };
    }
    case 'ComplaintResolved': {
      const id = typed.data.complaintId;
      if (!s.openComplaints.some((c) => c.complaintId === id)) return s;
      return {
        ...s,
        openComplaints: s.openComplaints.filter((c) => c.complaintId !== id),
        complaintsResolved: s.complaintsResolved + 1,
      };
    }
    case 'SurveyAnswered': {
      const score: SurveyScore = {
        score: typed.data.score,
        at: ctx.at,
        eventId: ctx.event.eventId,
      };
      return typed.data.kind === 'nps'
        ? { ...s, latestNps: newer(s.latestNps, score) }
        : { ...s, latestCsat: newer(s.latestCsat, score) };
    }
    case 'OfferPresented':
    case 'OfferResponded':
    case 'CustomersMerged':
    case 'CustomersUnmerged':
      return s;
  }
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const newer = (current: SurveyScore | null, candidate: SurveyScore): SurveyScore =>
  current !== null && toMs(current.at) > toMs(candidate.at) ? current : candidate;

const addTo = (
  m: Readonly<Record<string, number>>,
  key: string,
  amount: number,
): Record<string, number> => ({
  ...m,
  [key]: (m[key] ?? 0) + amount,
});

/** Inserts keeping ascending time order (late arrivals land in place), ties by eventId. */
const insertByTime = <T extends { at: string; eventId: string }>(
  list: readonly T[],
  item: T,
): T[] => {
  if (list.some((x) => x.eventId === item.eventId)) return [...list];
  return [...list, item].sort((a, b) => toMs(a.at) - toMs(b.at) || cmp(a.eventId, b.eventId));
};

const upsertProduct = (
  products: readonly ProductHolding[],
  product: ProductHolding,
): ProductHolding[] => {
  const rest = products.filter((p) => p.productId !== product.productId);
  const all = [...rest, product];
  // Bounded: every open product, plus the most recently closed ones.
  const closed = all
    .filter((p) => p.status === 'closed')
    .sort((a, b) => toMs(b.closedAt ?? 0) - toMs(a.closedAt ?? 0) || cmp(a.productId, b.productId))
    .slice(0, CLOSED_PRODUCTS_LIMIT);
  return [...all.filter((p) => p.status === 'open'), ...closed].sort((a, b) =>
    cmp(a.productId, b.productId),
  );
};

const withProducts = (s: Customer360State, products: ProductHolding[]): Customer360State => {
  const assetsMinor: Record<string, number> = {};
  const lendingMinor: Record<string, number> = {};
  const relationshipBalanceMinor: Record<string, number> = {};
  for (const p of products) {
    if (p.status !== 'open' || p.currency === '') continue;
    // Lending balances may be reported signed either way; what is owed counts by its size.
    const amount = ASSET_PRODUCT_TYPES.includes(p.productType)
      ? p.balanceMinor
      : Math.abs(p.balanceMinor);
    const bucket = ASSET_PRODUCT_TYPES.includes(p.productType) ? assetsMinor : lendingMinor;
    bucket[p.currency] = (bucket[p.currency] ?? 0) + amount;
    relationshipBalanceMinor[p.currency] = (relationshipBalanceMinor[p.currency] ?? 0) + amount;
  }
  return { ...s, products, relationshipBalanceMinor, assetsMinor, lendingMinor };
};

/** Records the balances as they stand after this event, under the event's day. */
const withBalancePoint = (s: Customer360State, ctx: Ctx): Customer360State => {
  const point: BalancePoint = {
    day: ctx.day,
    assetsMinor: s.assetsMinor,
    openProducts: s.products.filter((p) => p.status === 'open').length,
    eventId: ctx.event.eventId,
  };
  const h = s.balanceHistory;
  const last = h[h.length - 1];
  const balanceHistory =
    last === undefined || last.day < ctx.day
      ? [...h, point]
      : last.day === ctx.day
        ? [...h.slice(0, -1), point]
        : [...h.filter((p) => p.day !== ctx.day), point].sort((a, b) => cmp(a.day, b.day));
  return { ...s, balanceHistory };
};

const emptyDay = (day: string): DayActivity => ({
  day,
  interactions: { branch: 0, mobile: 0, 'call-centre': 0 },
  branchWaitMinutes: 0,
  callsResolved: 0,
  callsAbandoned: 0,
  feesMinor: {},
  cardSpendMinor: {},
  salaryInMinor: {},
  outToOtherBanksMinor: {},
});

const bump = (
  s: Customer360State,
  day: string,
  f: (b: DayActivity) => DayActivity,
): Customer360State => {
  const last = s.activity[s.activity.length - 1];
  // Fast path: events mostly arrive for the newest day or a newer one.
  if (last === undefined || last.day < day)
    return { ...s, activity: [...s.activity, f(emptyDay(day))] };
  if (last.day === day) return { ...s, activity: [...s.activity.slice(0, -1), f(last)] };
  const existing = s.activity.find((b) => b.day === day);
  const updated = f(existing ?? emptyDay(day));
  const activity = existing
    ? s.activity.map((b) => (b.day === day ? updated : b))
    : [...s.activity, updated].sort((a, b) => cmp(a.day, b.day));
  return { ...s, activity };
};

const touch = (s: Customer360State, channel: Channel, ctx: Ctx): Customer360State => {
  const last = s.lastInteraction[channel];
  if (last !== null && last.at >= ctx.at) return s; // canonical ISO: string order is time order
  return {
    ...s,
    lastInteraction: {
      ...s.lastInteraction,
      [channel]: { at: ctx.at, eventId: ctx.event.eventId },
    },
  };
};

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return value ?? null;
};

const withSalary = (
  h: SalaryHistory,
  ctx: Ctx,
  amount: number,
  currency: string,
): SalaryHistory => {
  const recentAt = [...h.recentAt, ctx.at]
    .sort((a, b) => toMs(a) - toMs(b))
    .slice(-SALARY_DATES_LIMIT);
  const gaps: number[] = [];
  for (let i = 1; i < recentAt.length; i++) {
    gaps.push((toMs(recentAt[i] ?? 0) - toMs(recentAt[i - 1] ?? 0)) / 86_400_000);
  }
  const isLatest = h.lastAt === null || toMs(ctx.at) >= toMs(h.lastAt);
  return {
    lastAt: isLatest ? ctx.at : h.lastAt,
    lastEventId: isLatest ? ctx.event.eventId : h.lastEventId,
    lastAmountMinor: isLatest ? amount : h.lastAmountMinor,
    currency: isLatest ? currency : h.currency,
    count: h.count + 1,
    recentAt,
    typicalIntervalDays: median(gaps),
  };
};

const newestDay = (latest: string | null, day: string): string =>
  latest !== null && latest >= day ? latest : day;

/**
 * Drops daily buckets older than the window relative to the newest event (not to a clock:
 * the fold must not read one). Balance history keeps one anchor point before the window so
 * "balance 90 days ago" stays answerable.
 */
let cutoffMemo: { day: string; cutoff: string } | null = null;
/** The last day outside the window; memoised because it changes once a day of history. */
const windowCutoff = (latestDay: string): string => {
  if (cutoffMemo?.day !== latestDay) {
    cutoffMemo = {
      day: latestDay,
      cutoff: dayFromNumber(dayNumber(latestDay) - ACTIVITY_WINDOW_DAYS),
    };
  }
  return cutoffMemo.cutoff;
};

/** `latestDay`: the state's newest event day after this event (set by withTimeline). */
const pruneToWindow = (s: Customer360State, latestDay: string): Customer360State => {
  // ISO days compare as strings; days ≤ cutoff are outside the window.
  const cutoff = windowCutoff(latestDay);
  const firstDay = s.activity[0]?.day;
  const staleActivity = firstDay !== undefined && firstDay <= cutoff;
  const secondPoint = s.balanceHistory[1]?.day;
  const staleBalances = secondPoint !== undefined && secondPoint <= cutoff;
  if (!staleActivity && !staleBalances) return s; // the usual case: nothing to drop
  const activity = staleActivity ? s.activity.filter((b) => b.day > cutoff) : s.activity;
  const inWindow = s.balanceHistory.filter((p) => p.day > cutoff);
  const before = s.balanceHistory.filter((p) => p.day <= cutoff);
  const anchor = before[before.length - 1];
  const balanceHistory = anchor ? [anchor, ...inWindow] : inWindow;
  return { ...s, activity, balanceHistory };
};

const withTimeline = (
  s: Customer360State,
  typed: Typed,
  ctx: Ctx,
  position: Customer360State['position'],
  latestActivityDay: string,
): Customer360State => {
  const entry = timelineEntry(typed, ctx);
  if (entry === null) return { ...s, latestActivityDay, position };
  // Newest first by occurrence, then recording, then event id; times are canonical ISO
  // strings, so string order is time order. Most events land at the front.
  const before = (a: TimelineEntry, b: TimelineEntry): boolean =>
    a.occurredAt !== b.occurredAt
      ? a.occurredAt > b.occurredAt
      : a.recordedAt !== b.recordedAt
        ? a.recordedAt > b.recordedAt
        : a.eventId > b.eventId;
  const rest = s.timeline.some((e) => e.eventId === entry.eventId)
    ? s.timeline.filter((e) => e.eventId !== entry.eventId)
    : s.timeline;
  let i = 0;
  while (i < rest.length && !before(entry, rest[i] as TimelineEntry)) i++;
  if (i >= TIMELINE_LIMIT) return { ...s, latestActivityDay, position };
  const timeline = rest.slice(0, TIMELINE_LIMIT - 1); // one copy; the entry goes in at i
  timeline.splice(i, 0, entry);
  return { ...s, latestActivityDay, timeline, position };
};

const timelineEntry = (typed: Typed, ctx: Ctx): TimelineEntry | null => {
  const entry = (channel: Channel | null, summary: string): TimelineEntry => ({
    eventId: ctx.event.eventId,
    type: typed.type,
    occurredAt: ctx.at,
    recordedAt: ctx.recordedAt,
    channel,
    summary,
  });
  switch (typed.type) {
    case 'CustomerRegistered':
      return ctx.own
        ? entry(null, `registered (${typed.data.kind}, branch ${typed.data.branchCode})`)
        : null;
    case 'ContactDetailsChanged':
      return ctx.own ? entry(null, 'contact details changed') : null;
    case 'ChannelIdentityLinked':
      return entry(null, `identity linked (${typed.data.scheme})`);
    case 'ChannelIdentityUnlinked':
      return entry(null, `identity unlinked (${typed.data.scheme})`);
    case 'RelationshipManagerAssigned':
      return ctx.own ? entry(null, `relationship manager ${typed.data.managerId} assigned`) : null;
    case 'ProductOpened':
      return entry(null, `${typed.data.productType} ${typed.data.productId} opened`);
    case 'ProductClosed':
      return entry(
        null,
        `${typed.data.productType} ${typed.data.productId} closed (${typed.data.reason})`,
      );
    case 'MoneyMoved': {
      const d = typed.data;
      return entry(
        null,
        `${d.kind} ${d.direction} ${d.amountMinor} ${d.currency} (${d.productId})`,
      );
    }
    case 'BranchVisited':
      return entry(
        'branch',
        `branch ${typed.data.branchCode}: ${typed.data.service}, waited ${typed.data.waitMinutes} min`,
      );
    case 'MobileSessionStarted':
      return entry('mobile', `app session (v${typed.data.appVersion})`);
    case 'MobileActionPerformed':
      return entry('mobile', `app: ${typed.data.action}`);
    case 'CallHandled':
      return entry(
        'call-centre',
        `call: ${typed.data.reason}, ${typed.data.outcome}, ${typed.data.durationSec}s`,
      );
    case 'ComplaintRaised':
      return entry(
        typed.data.channel,
        `complaint ${typed.data.complaintId} raised (${typed.data.category}, ${typed.data.severity})`,
      );
    case 'ComplaintResolved':
      return entry(null, `complaint ${typed.data.complaintId} resolved`);
    case 'SurveyAnswered':
      return entry(null, `${typed.data.kind} ${typed.data.score}`);
    case 'OfferPresented':
      return entry(null, `offer ${typed.data.offerId} presented (${typed.data.product})`);
    case 'OfferResponded':
      return entry(null, `offer ${typed.data.offerId} ${typed.data.response}`);
    case 'BalanceReported': // frequent and carried by the products themselves
    case 'CustomersMerged':
    case 'CustomersUnmerged':
      return null;
  }
};
