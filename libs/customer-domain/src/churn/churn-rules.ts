import { CHANNELS, type Channel } from '@c360/contracts';
import {
  addDays,
  dayFromNumber,
  dayNumber,
  daysBetween,
  isoDay,
  MS_PER_DAY,
  toIso,
  toMs,
} from '../calendar/calendar';
import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import { balancePointAt } from '../customer-360/customer-360.queries';
import type { Customer360State } from '../customer-360/customer-360.state';
import { valueTier } from '../tiers/value-tiers';
import { relationshipValue, toReportingMinor } from '../valuation/valuation';
import { DEFAULT_CHURN_CONFIG, type ChurnCode, type ChurnConfig } from './churn-config';

export interface ChurnFlag {
  readonly code: ChurnCode;
  readonly reason: string;
  readonly evidenceEventIds: readonly string[];
  /** When the condition started to hold (may be before `now`: a rule crossed while nobody looked). */
  readonly since: string;
}

interface RuleInput {
  readonly state: Customer360State;
  readonly now: string;
  readonly config: ChurnConfig;
  readonly domain: DomainConfig;
}
type Rule = (input: RuleInput) => ChurnFlag | null;

const days = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const money = (minor: number): string => (minor / 100).toFixed(2);

/** The usual channels and their latest interaction: what inactivity measures silence from (none: the rule cannot hold). */
const usualChannelsOf = (state: Customer360State, c: ChurnConfig['inactivity']) => {
  // Named loads into locals: this runs for every customer at every step (no per-bucket keyed access).
  let branch = 0;
  let mobile = 0;
  let callCentre = 0;
  for (const b of state.activity) {
    const i = b.interactions;
    branch += i.branch;
    mobile += i.mobile;
    callCentre += i['call-centre'];
  }
  const all = branch + mobile + callCentre;
  if (all < c.minInteractions) return null;
  const totals: Record<Channel, number> = { branch, mobile, 'call-centre': callCentre };
  const usual = CHANNELS.filter((ch) => totals[ch] / all >= c.usualChannelMinShare);
  const lasts = usual.map((ch) => state.lastInteraction[ch]).filter((x) => x !== null);
  if (lasts.length === 0) return null;
  return { usual, lasts, latest: Math.max(...lasts.map((l) => toMs(l.at))) };
};

/** Silence on the channels the customer normally uses (share of the kept 90 days of activity). */
const inactivity: Rule = ({ state, now, config }) => {
  const c = config.inactivity;
  const basis = usualChannelsOf(state, c);
  if (basis === null) return null;
  const { usual, lasts, latest } = basis;
  const silentDays = daysBetween(latest, now);
  if (silentDays < c.days) return null;
  return {
    code: 'inactivity',
    reason: `no interaction on usual channels (${usual.join(', ')}) for ${Math.floor(silentDays)} days (threshold ${c.days})`,
    evidenceEventIds: lasts.map((l) => l.eventId),
    since: addDays(latest, c.days),
  };
};

/** Assets fell by more than dropPct against the balance in force windowDays ago. */
const balanceDrain: Rule = ({ state, now, config, domain }) => {
  const c = config.balanceDrain;
  const startDay = dayFromNumber(dayNumber(isoDay(now)) - c.windowDays);
  const base = balancePointAt(state, startDay);
  if (base === null) return null;
  const baseValue = toReportingMinor(base.assetsMinor, domain.valuation).valueMinor;
  if (baseValue < c.minBaselineMinor || baseValue <= 0) return null;
  const current = toReportingMinor(state.assetsMinor, domain.valuation).valueMinor;
  const dropPct = ((baseValue - current) / baseValue) * 100;
  if (!(dropPct > c.dropPct)) return null;
  const later = state.balanceHistory.filter((p) => p.day > startDay && p.day <= isoDay(now));
  const crossed = later.find(
    (p) =>
      ((baseValue - toReportingMinor(p.assetsMinor, domain.valuation).valueMinor) / baseValue) *
        100 >
      c.dropPct,
  );
  const last = later[later.length - 1];
  return {
    code: 'balance-drain',
    reason: `assets down ${dropPct.toFixed(1)}% in ${c.windowDays} days (${money(baseValue)} → ${money(current)} ${domain.valuation.reportingCurrency}; threshold ${c.dropPct}%)`,
    evidenceEventIds: [
      ...new Set([
        base.eventId,
        ...(crossed ? [crossed.eventId] : []),
        ...(last ? [last.eventId] : []),
      ]),
    ],
    since: toIso(`${(crossed ?? last ?? base).day}T00:00:00.000Z`),
  };
};

/** A regular salary that has not come for longer than its rhythm allows. */
const salaryStopped: Rule = ({ state, now, config }) => {
  const c = config.salaryStopped;
  const s = state.salary;
  if (s.lastAt === null || s.lastEventId === null || s.typicalIntervalDays === null) return null;
  if (s.recentAt.length < c.minCredits) return null;
  const allowed = s.typicalIntervalDays * c.missedIntervalFactor;
  const gap = daysBetween(s.lastAt, now);
  if (!(gap > allowed)) return null;
  return {
    code: 'salary-stopped',
    reason: `no salary credit for ${Math.floor(gap)} days; usually every ${days(s.typicalIntervalDays)} days (allowed ${days(allowed)})`,
    evidenceEventIds: [s.lastEventId],
    since: addDays(s.lastAt, allowed),
  };
};

/** Money sent to other banks: one big transfer, or a large share of the assets in the window. */
const largeTransferOut: Rule = ({ state, now, config, domain }) => {
  const c = config.largeTransferOut;
  const t = toMs(now);
  const inWindow = state.transfersToOtherBanks.filter(
    (x) => toMs(x.at) <= t && toMs(x.at) > t - c.windowDays * 86_400_000,
  );
  if (inWindow.length === 0) return null;
  const valued = inWindow.map((x) => ({
    x,
    v: toReportingMinor({ [x.currency]: x.amountMinor }, domain.valuation).valueMinor,
  }));
  const big = valued.filter((e) => e.v >= c.minAmountMinor);
  const total = valued.reduce((sum, e) => sum + e.v, 0);
  const assets = toReportingMinor(state.assetsMinor, domain.valuation).valueMinor;
  const share = total / Math.max(1, assets + total); // of what they held before sending it away
  if (big.length === 0 && !(share >= c.minShareOfAssets)) return null;
  const evidence = big.length > 0 ? big : valued;
  const banks = [...new Set(evidence.map((e) => e.x.counterpartyBank))].sort().join(', ');
  return {
    code: 'large-transfer-out',
    reason:
      big.length > 0
        ? `${big.length} transfer(s) of at least ${money(c.minAmountMinor)} to other banks (${banks}) in ${c.windowDays} days`
        : `${(share * 100).toFixed(0)}% of assets sent to other banks (${banks}) in ${c.windowDays} days`,
    evidenceEventIds: evidence.map((e) => e.x.eventId),
    since: evidence[0]?.x.at ?? now,
  };
};

/** Open complaints older than their severity's SLA. */
const complaintSla: Rule = ({ state, now, config }) => {
  const breached = state.openComplaints
    .map((c) => ({ c, due: toMs(c.raisedAt) + config.complaintSlaHours[c.severity] * 3_600_000 }))
    .filter((e) => toMs(now) >= e.due)
    .sort((a, b) => a.due - b.due);
  const first = breached[0];
  if (first === undefined) return null;
  const parts = breached.map(
    (e) =>
      `${e.c.complaintId} (${e.c.category}, ${e.c.severity}) open ${days(Math.floor(daysBetween(e.c.raisedAt, now) * 10) / 10)} days, SLA ${config.complaintSlaHours[e.c.severity]} h`,
  );
  return {
    code: 'complaint-sla-breached',
    reason: `unresolved past SLA: ${parts.join('; ')}`,
    evidenceEventIds: breached.map((e) => e.c.eventId),
    since: toIso(first.due),
  };
};

const productClosures: Rule = ({ state, now, config }) => {
  const c = config.productClosures;
  const t = toMs(now);
  const recent = state.productClosures.filter(
    (x) => toMs(x.at) <= t && toMs(x.at) > t - c.windowDays * 86_400_000,
  );
  if (recent.length < c.minClosures || recent.length === 0) return null;
  return {
    code: 'product-closures',
    reason: `${recent.length} product(s) closed in ${c.windowDays} days: ${recent.map((x) => `${x.productType} (${x.reason})`).join(', ')}`,
    evidenceEventIds: recent.map((x) => x.eventId),
    since: recent[Math.max(0, c.minClosures - 1)]?.at ?? now,
  };
};

const npsDetractor: Rule = ({ state, now, config }) => {
  const c = config.npsDetractor;
  const nps = state.latestNps;
  if (nps === null || nps.score > c.maxScore) return null;
  const age = daysBetween(nps.at, now);
  if (age < 0 || age > c.maxAgeDays) return null;
  return {
    code: 'nps-detractor',
    reason: `latest NPS ${nps.score} (detractor: ≤ ${c.maxScore})`,
    evidenceEventIds: [nps.eventId],
    since: nps.at,
  };
};

const managerChanged: Rule = ({ state, now, config, domain }) => {
  const c = config.managerChanged;
  const rm = state.relationshipManager;
  if (rm === null || rm.changedAt === null) return null;
  const age = daysBetween(rm.changedAt, now);
  if (age < 0 || age > c.windowDays) return null;
  const tier = valueTier(relationshipValue(state, domain.valuation), domain.tiers);
  if (!c.tiers.includes(tier)) return null;
  return {
    code: 'manager-changed',
    reason: `relationship manager changed ${rm.previousManagerId ?? 'unknown'} → ${rm.managerId} ${Math.floor(age)} days ago (tier ${tier})`,
    evidenceEventIds: [rm.eventId],
    since: rm.changedAt,
  };
};

const RULES: readonly Rule[] = [
  inactivity,
  balanceDrain,
  salaryStopped,
  largeTransferOut,
  complaintSla,
  productClosures,
  npsDetractor,
  managerChanged,
];

/**
 * Every churn flag that holds at `now`. Time-based rules read `now` only, so evaluating a
 * silent customer again later (a clock tick, no new event) raises what has become true.
 */
export const evaluateChurn = (
  view: Customer360State,
  now: Date | string,
  config: ChurnConfig = DEFAULT_CHURN_CONFIG,
  domain: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): ChurnFlag[] => {
  const input: RuleInput = { state: view, now: toIso(now), config, domain };
  const flags: ChurnFlag[] = [];
  for (const rule of RULES) {
    const flag = rule(input);
    if (flag !== null) flags.push(flag);
  }
  return flags;
};

/** Deadlines are brought forward by this much, so float rounding can only make a check early, never late. */
const DEADLINE_MARGIN_MS = 1_000;

/**
 * The time before which `evaluateChurn(state, t, …)` gives exactly what it gives at `at`
 * (codes, reasons, evidence, since) for every `t` from `at` on, as long as the state does
 * not change; null when nothing in it depends on the clock. The clock sweeper re-evaluates a
 * customer only once its deadline has passed (or its state changed), instead of every sweep.
 * A deadline may come early (a check that changes nothing); it must never come late — a
 * property test holds every rule to it. Each rule's clock dependence, in the rule's order:
 */
export const nextChurnChange = (state: Customer360State, at: Date | string, config: ChurnConfig = DEFAULT_CHURN_CONFIG): string | null => {
  const now = toMs(at);
  let next = Number.POSITIVE_INFINITY;
  const candidate = (t: number): void => {
    if (t > now && t < next) next = t;
  };
  /** While a flag holds, its reason counting whole (or tenth) days since `from` changes at each step. */
  const nextStep = (from: number, stepDays: number): void => {
    if (now >= from) candidate(from + (Math.floor((now - from) / (stepDays * MS_PER_DAY)) + 1) * stepDays * MS_PER_DAY);
  };
  /** A window of `days` after each time: entered at the time, left `days` later. */
  const windowEdges = (times: readonly string[], days: number): void => {
    for (const x of times) {
      candidate(toMs(x));
      candidate(toMs(x) + days * MS_PER_DAY);
    }
  };

  // inactivity: raised `days` after the latest usual-channel interaction; its reason counts whole days
  const basis = usualChannelsOf(state, config.inactivity);
  if (basis !== null) {
    const raised = basis.latest + config.inactivity.days * MS_PER_DAY;
    if (now < raised) candidate(raised);
    else nextStep(basis.latest, 1);
  }
  // balance drain: today's date counts windowDays back to its baseline (the last point on or before
  // that day) and forward over the points since: it changes on the day a point is reached, and on
  // the day the window's start reaches it (whole days; both roundings of a fractional window)
  const w = config.balanceDrain.windowDays;
  for (const p of state.balanceHistory) {
    const d = dayNumber(p.day);
    for (const day of [d, d + Math.floor(w), d + Math.ceil(w)]) candidate(day * MS_PER_DAY);
  }
  // salary stopped: raised once the gap exceeds the allowed rhythm; its reason counts whole days
  const s = state.salary;
  if (s.lastAt !== null && s.typicalIntervalDays !== null && s.recentAt.length >= config.salaryStopped.minCredits) {
    const raised = toMs(s.lastAt) + s.typicalIntervalDays * config.salaryStopped.missedIntervalFactor * MS_PER_DAY;
    if (now <= raised) candidate(raised);
    else nextStep(toMs(s.lastAt), 1);
  }
  // transfers out and product closures: each counts inside its window only
  windowEdges(state.transfersToOtherBanks.map((x) => x.at), config.largeTransferOut.windowDays);
  windowEdges(state.productClosures.map((x) => x.at), config.productClosures.windowDays);
  // complaint SLA: breached at raisedAt + SLA; the reason counts open days in tenths
  for (const c of state.openComplaints) {
    const breached = toMs(c.raisedAt) + config.complaintSlaHours[c.severity] * 3_600_000;
    if (now < breached) candidate(breached);
    else nextStep(toMs(c.raisedAt), 0.1);
  }
  // NPS detractor: holds while the answer is at most maxAgeDays old
  if (state.latestNps !== null) windowEdges([state.latestNps.at], config.npsDetractor.maxAgeDays);
  // manager changed: holds for windowDays after the change; its reason counts whole days
  const changedAt = state.relationshipManager?.changedAt ?? null;
  if (changedAt !== null) {
    windowEdges([changedAt], config.managerChanged.windowDays);
    if (now <= toMs(changedAt) + config.managerChanged.windowDays * MS_PER_DAY) nextStep(toMs(changedAt), 1);
  }
  // (the tier and the valuations rules read depend on the state, not the clock)
  return Number.isFinite(next) ? toIso(next - DEADLINE_MARGIN_MS) : null;
};

/** 0..100: each open flag an independent risk with its weight, 1 − Π(1 − w), so more flags never lower it. */
export const churnRiskScore = (
  flags: readonly Pick<ChurnFlag, 'code'>[],
  weights: ChurnConfig['weights'] = DEFAULT_CHURN_CONFIG.weights,
): number => {
  const codes = new Set(flags.map((f) => f.code)); // one flag per code counts once
  let keep = 1;
  for (const code of codes) keep *= 1 - Math.min(1, Math.max(0, weights[code]));
  return Math.round((1 - keep) * 100);
};

export interface OpenChurnFlag extends ChurnFlag {
  readonly raisedAt: string;
}
export interface ClearedChurnFlag extends OpenChurnFlag {
  readonly clearedAt: string;
}

export interface FlagDiff {
  readonly raised: readonly OpenChurnFlag[];
  readonly cleared: readonly ClearedChurnFlag[];
  /** The open set after the diff: kept flags keep raisedAt and take the fresh reason and evidence. */
  readonly open: readonly OpenChurnFlag[];
}

/** Compares the open flags with a fresh evaluation: what to raise, what to clear (one flag per code). */
export const diffFlags = (
  open: readonly OpenChurnFlag[],
  evaluated: readonly ChurnFlag[],
  now: Date | string,
): FlagDiff => {
  const at = toIso(now);
  const fresh = new Map(evaluated.map((f) => [f.code, f]));
  const before = new Map(open.map((f) => [f.code, f]));
  const raised = evaluated.filter((f) => !before.has(f.code)).map((f) => ({ ...f, raisedAt: at }));
  const cleared = open.filter((f) => !fresh.has(f.code)).map((f) => ({ ...f, clearedAt: at }));
  const kept = open.flatMap((f) => {
    const e = fresh.get(f.code);
    return e === undefined ? [] : [{ ...e, raisedAt: f.raisedAt }];
  });
  return { raised, cleared, open: [...kept, ...raised] };
};
