import type { CanonicalEvent, CanonicalEventDataV1, CanonicalEventType, Channel, EventSource, MoneyKind } from '@c360/contracts';
import { Random } from '../random/random';
import { DAY, HOUR, MINUTE, atLocalHour, isoDate, isoLocal, isoUtc, localWeekday, monthEnds, startOfUtcDay } from './calendar';
import type { CustomerPlan, PlanContext, PlannedProduct } from './customer-plan';
import type { BranchRecordWire, CallRecordWire, CounterServiceCodeWire, DispositionCodeWire, MobileEventWire } from './native-wire';
import type { CustomerTraffic, DemoCustomer, TrafficItem } from './traffic-item';

/**
 * Turns a customer's plan into the items the bank's systems would send: core banking's canonical
 * events (registration, products, balances, money, identity links, RM), the branch teller
 * journal, the mobile back end's batches, the call centre's call records, and the complaints,
 * survey and campaign systems' canonical events. Pure: the plan, the time frame and the run tag
 * decide everything.
 */

const CORE: EventSource = { system: 'core-banking' };
const CARDS: EventSource = { system: 'card-management' };
const MOBILE_BACKEND: EventSource = { system: 'mobile-backend', channel: 'mobile' };
const COMPLAINTS: EventSource = { system: 'complaints-desk' };
const SURVEYS: EventSource = { system: 'survey-platform' };
const CAMPAIGNS: EventSource = { system: 'campaign-engine', channel: 'branch' };
const CRM: EventSource = { system: 'crm' };

type Touch = { readonly channel: 'branch' | 'mobile' | 'call'; readonly at: number };

const COMPLAINT_CATEGORIES = ['fees', 'waiting time', 'service attitude', 'app outage', 'card dispute', 'loan processing', 'wealth product advice'] as const;
const SLA_HOURS = { low: 240, medium: 120, high: 48 } as const;
const MOBILE_ACTIONS = ['balance.view', 'transfer.submit', 'bill.pay', 'statement.download', 'qr.pay', 'wealth.browse', 'fund.purchase', 'card.freeze', 'profile.update'] as const;
const CALL_REASONS: readonly (readonly [string, string])[] = [
  ['balance-enquiry', 'general'], ['card-blocked', 'cards'], ['lost-card', 'cards'], ['fee-dispute', 'billing'],
  ['loan-enquiry', 'loans'], ['app-login-help', 'digital'], ['fraud-report', 'fraud'], ['wealth-enquiry', 'wealth'],
];
const SERVICE_WEIGHTS: Readonly<Record<CounterServiceCodeWire, number>> = { CASH: 40, ENQUIRY: 15, CARD_SERVICES: 12, ACCOUNT_OPENING: 5, LOANS: 8, WEALTH_ADVICE: 10 };

const noNegZero = (n: number): number => (n === 0 ? 0 : n);
const majorUnits = (minor: number): string => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
const ymd = (ms: number): string => isoDate(ms).replaceAll('-', '');

export interface HistoryContext extends PlanContext {
  /** Distinguishes runs with a different `now`: native record ids and event ids carry it. */
  readonly runTag: string;
}

class HistoryBuilder {
  readonly items: TrafficItem[] = [];
  private seq = 0;
  /** Nothing may happen later than this: the history ends strictly in the past. */
  readonly latest: number;

  constructor(
    readonly ctx: HistoryContext,
    readonly plan: CustomerPlan,
    readonly rng: Random,
    private readonly ids: Random,
  ) {
    this.latest = ctx.nowMs - MINUTE;
  }

  nextSeq(): string {
    this.seq += 1;
    return this.seq.toString(36);
  }

  /** A record id unique per run and customer: `PREFIX-<run>-<customer>-<n>`. */
  nativeId(prefix: string): string {
    return `${prefix}-${this.ctx.runTag}-${this.plan.index.toString(36)}-${this.nextSeq()}`;
  }

  canonical<T extends CanonicalEventType>(type: T, time: number, source: EventSource, data: CanonicalEventDataV1[T], late = false): void {
    const at = Math.round(time);
    if (at > this.latest) return;
    const body = { eventId: this.ids.uuid(), type, version: 1, occurredAt: isoUtc(at), source, customerId: this.plan.customerNumber, data } as CanonicalEvent;
    this.items.push({ endpoint: 'events', at, body, eventCount: 1, late });
  }
}

/** Balance of a product at time t: the end balance, seen through growth, noise, drain and a big transfer. */
const balanceAt = (b: HistoryBuilder, product: PlannedProduct, t: number, exact: boolean): number => {
  const { plan, ctx } = b;
  if (product.closure !== null) return exact ? product.closure.heldMinor : Math.round(product.closure.heldMinor * (1 + 0.02 * b.rng.normal()));
  if (product.finalMinor < 0) {
    // Lending: an amortising loan owed more earlier; a card balance swings with the month.
    if (product.productType === 'credit-card') return exact ? product.finalMinor : noNegZero(Math.round(product.finalMinor * b.rng.between(0.3, 1.5)));
    return noNegZero(Math.round(product.finalMinor * (1 + (0.01 * (ctx.nowMs - t)) / (30 * DAY))));
  }
  let v = product.finalMinor / (1 + (plan.growth * (ctx.nowMs - t)) / (ctx.options.days * DAY));
  if (!exact) v *= 1 + 0.02 * b.rng.normal();
  const d = plan.drain;
  if (d !== null) {
    const f = t < d.from ? d.factor : t < d.to ? d.factor + ((1 - d.factor) * (t - d.from)) / (d.to - d.from) : 1;
    v *= f;
  }
  const x = plan.transferOut;
  if (x !== null && product === plan.products[0] && t < x.at) v += x.amountMinor;
  return Math.max(0, Math.round(v));
};

const coreBanking = (b: HistoryBuilder): void => {
  const { plan, ctx, rng } = b;
  b.canonical('CustomerRegistered', plan.registeredAt, { system: 'core-banking', channel: 'branch' }, {
    customerNumber: plan.customerNumber,
    kind: plan.kind,
    fullName: plan.fullName,
    nationalId: plan.nationalId,
    birthDate: plan.birthDate,
    phone: plan.phone,
    email: plan.email,
    address: plan.address,
    region: plan.region.code,
    branchCode: plan.branchCode,
  });
  const statementTime = (day: number): number => day + 15.5 * HOUR; // 23:30 Beijing
  const finalReportAt = ctx.nowMs - rng.between(5, 50) * MINUTE;
  for (const product of plan.products) {
    b.canonical('ProductOpened', product.openedAt, CORE, { productId: product.productId, productType: product.productType, currency: 'CNY' });
    if (product === plan.products[0] && plan.cardToken !== null) {
      b.canonical('ChannelIdentityLinked', product.openedAt + HOUR, CARDS, { scheme: 'card', value: plan.cardToken });
    }
    const end = product.closure?.at ?? ctx.nowMs;
    const from = Math.max(ctx.startMs, product.openedAt);
    // An opening statement at the start of the history, month-end statements, and extra ones
    // around a drain or a big transfer (core banking reports on movement as well).
    const days = new Set<number>(monthEnds(from, end));
    if (product.openedAt < ctx.startMs) days.add(startOfUtcDay(ctx.startMs) + DAY);
    if (plan.drain !== null && product.closure === null) {
      for (let t = plan.drain.from; t < plan.drain.to + 7 * DAY; t += 7 * DAY) days.add(startOfUtcDay(t));
    }
    if (plan.transferOut !== null && product === plan.products[0]) {
      days.add(startOfUtcDay(plan.transferOut.at) - DAY);
      days.add(startOfUtcDay(plan.transferOut.at));
    }
    for (const day of [...days].sort((a, c) => a - c)) {
      const at = statementTime(day);
      if (at <= product.openedAt || at >= end || at > finalReportAt - HOUR) continue;
      b.canonical('BalanceReported', at, CORE, { productId: product.productId, balanceMinor: balanceAt(b, product, at, false), currency: 'CNY', asOfDate: isoDate(at) });
    }
    if (product.closure === null) {
      b.canonical('BalanceReported', finalReportAt, CORE, { productId: product.productId, balanceMinor: noNegZero(product.finalMinor), currency: 'CNY', asOfDate: isoDate(finalReportAt) });
    } else {
      const c = product.closure;
      b.canonical('BalanceReported', c.at - 30 * MINUTE, CORE, { productId: product.productId, balanceMinor: 0, currency: 'CNY', asOfDate: isoDate(c.at - 30 * MINUTE) });
      b.canonical('ProductClosed', c.at, CORE, { productId: product.productId, productType: product.productType, reason: c.reason });
    }
  }
  moneyMovements(b);
  if (plan.manager !== null) {
    const m = plan.manager;
    b.canonical('RelationshipManagerAssigned', m.assignedAt, CORE, { managerId: m.initial, previousManagerId: null });
    if (m.change !== null) b.canonical('RelationshipManagerAssigned', m.change.at, CORE, { managerId: m.change.to, previousManagerId: m.initial });
  }
  if (plan.mobile !== null) {
    b.canonical('ChannelIdentityLinked', plan.mobile.linkAt, MOBILE_BACKEND, { scheme: 'mobile-user', value: plan.mobile.userId }, plan.mobile.late);
  }
  if (rng.chance(0.03)) {
    b.canonical('ContactDetailsChanged', ctx.startMs + rng.between(1, ctx.options.days - 1) * DAY, CRM, {
      email: `customer.${plan.index.toString(36)}.${ctx.options.seed}@example.com`,
    });
  }
};

const moneyMovements = (b: HistoryBuilder): void => {
  const { plan, ctx, rng } = b;
  const current = plan.products[0];
  if (current === undefined) return;
  const move = (at: number, productId: string, direction: 'in' | 'out', kind: MoneyKind, amountMinor: number, counterpartyBank: string | null = null): void => {
    if (amountMinor < 1) return;
    b.canonical('MoneyMoved', at, CORE, { productId, direction, kind, amountMinor: Math.round(amountMinor), currency: 'CNY', counterpartyBank });
  };
  const activeFrom = Math.max(ctx.startMs, plan.registeredAt + DAY);
  const months = Math.max(0, (ctx.nowMs - activeFrom) / (30 * DAY));
  const randomTime = (): number => atLocalHour(activeFrom + rng.float() * (ctx.nowMs - activeFrom), rng.between(8, 22));

  if (plan.salary !== null) {
    for (const t of plan.salary.credits) move(t, current.productId, 'in', 'salary', plan.salary.amountMinor * rng.between(0.97, 1.05));
  }
  for (const p of plan.products) {
    if (p.closure !== null) continue;
    if (p.productType === 'credit-card') {
      const n = rng.poisson(1.2 * months);
      for (let i = 0; i < n; i++) move(randomTime(), p.productId, 'out', 'card-payment', 25_000 * Math.exp(0.9 * rng.normal()));
    }
    if ((p.productType === 'savings' || p.productType === 'time-deposit') && p.finalMinor > 10_000) {
      // Chinese banks pay deposit interest quarterly, on the 21st of the quarter's last month.
      for (const t of [2, 5, 8, 11].flatMap((m) => [0, 1, 2].map((back) => Date.UTC(new Date(ctx.nowMs).getUTCFullYear() - back, m, 21, 2)))) {
        if (t > activeFrom && t < ctx.nowMs) move(t, p.productId, 'in', 'interest', p.finalMinor * 0.0035);
      }
    }
  }
  if (plan.band === 'mass' && rng.chance(0.15)) {
    for (const t of monthEnds(activeFrom, ctx.nowMs)) move(t + DAY + 3 * HOUR, current.productId, 'out', 'fee', 1_000);
  }
  if (plan.kind === 'business') {
    for (const t of monthEnds(activeFrom, ctx.nowMs)) {
      move(t + 2 * DAY + 2 * HOUR, current.productId, 'out', 'transfer', Math.min(1_000_000_000, plan.endValueMinor * rng.between(0.05, 0.15)));
      move(t + 5 * DAY + 3 * HOUR, current.productId, 'in', 'transfer', Math.min(1_500_000_000, plan.endValueMinor * rng.between(0.05, 0.2)));
    }
  }
  // Everyday transfers; those to other banks stay small (below the large-transfer rule) for steady customers.
  if (plan.endValueMinor >= 1_000_000) {
    const n = rng.poisson(0.4 * months);
    for (let i = 0; i < n; i++) {
      const external = rng.chance(0.4);
      const amount = Math.min(external ? 8_000_000 : 50_000_000, plan.endValueMinor * rng.between(0.01, 0.06));
      move(randomTime(), current.productId, rng.chance(0.5) ? 'out' : 'in', 'transfer', amount, external ? rng.pick(['RIVACNSH', 'RIVBCNBJ']) : null);
    }
  }
  const x = plan.transferOut;
  if (x !== null && !(plan.persona === 'branch-reliant' && plan.silenceFrom === null)) {
    move(x.at, current.productId, 'out', 'transfer', x.amountMinor, x.bank);
  }
};

/** When the customer touches each channel; silence and recency rules applied afterwards. */
const channelTouches = (b: HistoryBuilder): Touch[] => {
  const { plan, ctx, rng } = b;
  const activeFrom = Math.max(ctx.startMs, plan.registeredAt + HOUR);
  const end = ctx.nowMs - 30 * MINUTE;
  const touches: Touch[] = [];
  const draw = (channel: Touch['channel'], rate: number, from: number): void => {
    if (rate <= 0 || from >= end) return;
    const n = rng.poisson((rate * (end - from)) / (30 * DAY));
    for (let i = 0; i < n; i++) touches.push({ channel, at: timeOfDay(b, channel, from + rng.float() * (end - from)) });
  };
  draw('branch', plan.rates.branch, activeFrom);
  if (plan.mobile !== null) {
    // A late binder used the app for a while before linking it to the bank account.
    const from = plan.mobile.late ? plan.mobile.linkAt - rng.between(2, 12) * DAY : plan.mobile.linkAt;
    draw('mobile', plan.rates.mobile, Math.max(activeFrom, from));
    if (plan.mobile.late) {
      // At least one session before the link, so the ingestor has something to park and release.
      const before = plan.mobile.linkAt - rng.between(1, 3) * DAY; // an earlier local day
      if (before > activeFrom) touches.push({ channel: 'mobile', at: timeOfDay(b, 'mobile', before) });
    }
  }
  draw('call', plan.rates.call, activeFrom);

  const primary: Touch['channel'] = plan.rates.mobile >= plan.rates.branch && plan.rates.mobile >= plan.rates.call ? 'mobile' : plan.rates.branch >= plan.rates.call ? 'branch' : 'call';
  const windowStart = ctx.nowMs - 88 * DAY;
  let out = touches;
  if (plan.silenceFrom !== null) {
    // Went silent: a habit of interactions (≥ 3 in the rules' 90-day window), then nothing.
    const silence = plan.silenceFrom;
    out = out.filter((t) => t.at < silence);
    const before = out.filter((t) => t.at >= windowStart).length;
    for (let i = before; i < 4; i++) out.push({ channel: primary, at: timeOfDay(b, primary, windowStart + rng.float() * (silence - windowStart - DAY)) });
  } else {
    // Steady customers keep using their main channel: no accidental silence.
    const inWindow = out.filter((t) => t.at >= windowStart);
    if (inWindow.length > 0 && !inWindow.some((t) => t.at >= ctx.nowMs - 45 * DAY)) {
      const counts = { branch: 0, mobile: 0, call: 0 };
      for (const t of inWindow) counts[t.channel] += 1;
      const main = (Object.keys(counts) as Touch['channel'][]).sort((x, y) => counts[y] - counts[x])[0] ?? primary;
      out.push({ channel: main, at: timeOfDay(b, main, ctx.nowMs - rng.between(2, 40) * DAY) });
    }
  }
  return out.filter((t) => t.at <= end && t.at >= activeFrom - HOUR).sort((x, y) => x.at - y.at);
};

/** Branches open Monday to Saturday 9:00–16:30, the call centre 8:00–21:00, the app any waking hour. */
const timeOfDay = (b: HistoryBuilder, channel: Touch['channel'], t: number): number => {
  const { rng } = b;
  if (channel === 'branch') {
    const day = localWeekday(t) === 0 ? t + DAY : t;
    return atLocalHour(day, rng.between(9, 16.5));
  }
  if (channel === 'call') return atLocalHour(t, rng.between(8, 21));
  return atLocalHour(t, rng.chance(0.7) ? rng.between(18, 23.5) : rng.between(7, 18));
};

const branchVisit = (b: HistoryBuilder, at: number): void => {
  const { plan, rng } = b;
  const service = plan.band === 'top' && rng.chance(0.4) ? 'WEALTH_ADVICE' : rng.weighted(SERVICE_WEIGHTS);
  const waitMin = Math.min(90, Math.round(9 * Math.exp(0.6 * rng.normal()) * (plan.ageBand === 'senior' ? 1.3 : 1)));
  const called = at + waitMin * MINUTE + rng.int(0, 59_000);
  const closed = called + rng.between(3, 25) * MINUTE;
  if (closed + 5 * MINUTE > b.latest) return;
  const customer = plan.cardToken !== null && rng.chance(0.25) ? { cardToken: plan.cardToken } : { cif: plan.customerNumber };
  const tellerId = `T-${plan.branchCode.slice(3)}-${String(rng.int(1, 12)).padStart(2, '0')}`;
  const feedback = rng.chance(0.25) ? { rating: rng.weightedNumber({ 1: 3, 2: 5, 3: 12, 4: 35, 5: 45 }), answeredAt: isoLocal(closed + rng.int(10, 120) * 1000) } : undefined;
  const visit: BranchRecordWire = {
    recordType: 'visit',
    recordId: b.nativeId(`QT-${ymd(at)}`),
    branchCode: plan.branchCode,
    tellerId,
    customer,
    ticket: {
      number: `${service === 'WEALTH_ADVICE' ? 'V' : 'A'}${String(rng.int(1, 199)).padStart(3, '0')}`,
      serviceCode: service,
      issuedAt: isoLocal(at),
      calledAt: isoLocal(called),
      closedAt: isoLocal(closed),
    },
    ...(feedback ? { feedback } : {}),
  };
  b.items.push({ endpoint: 'branch', at, body: visit, eventCount: feedback ? 2 : 1 });
  if (service === 'CASH' && rng.chance(0.6)) {
    const deposit = rng.chance(0.55);
    const amount = Math.max(10_000, Math.round(Math.min(5_000_000, plan.endValueMinor * rng.between(0.01, 0.15)) / 100) * 100);
    branchTransaction(b, called + rng.between(1, 3) * MINUTE, deposit ? 'CASH_DEPOSIT' : 'CASH_WITHDRAWAL', amount, tellerId, customer);
  }
};

const branchTransaction = (
  b: HistoryBuilder,
  at: number,
  code: 'CASH_DEPOSIT' | 'CASH_WITHDRAWAL' | 'TRANSFER_OUT',
  amountMinor: number,
  tellerId: string,
  customer: { cif: string } | { cardToken: string },
  counterpartyBic?: string,
): void => {
  const account = b.plan.products[0]?.productId;
  if (account === undefined || at > b.latest) return;
  const record: BranchRecordWire = {
    recordType: 'transaction',
    recordId: b.nativeId(`TJ-${ymd(at)}`),
    branchCode: b.plan.branchCode,
    tellerId,
    workstationId: `WS-${String(b.rng.int(1, 6)).padStart(2, '0')}`,
    postedAt: isoLocal(at),
    customer,
    transaction: { code, accountNumber: account, amount: majorUnits(amountMinor), currency: 'CNY', ...(counterpartyBic ? { counterpartyBic } : {}) },
  };
  b.items.push({ endpoint: 'branch', at, body: record, eventCount: 1 });
};

const mobileSession = (b: HistoryBuilder, at: number): void => {
  const { plan, ctx, rng } = b;
  const m = plan.mobile;
  if (m === null) return;
  const sessionId = `s-${ctx.runTag}-${b.nextSeq()}`;
  const events: MobileEventWire[] = [];
  const eventId = (): string => `e-${ctx.runTag}-${b.nextSeq()}`;
  let t = at;
  events.push({ id: eventId(), at: isoUtc(t), kind: 'session.start', sessionId });
  const actions = rng.weightedNumber({ 1: 65, 2: 25, 3: 10 });
  for (let i = 0; i < actions; i++) {
    t += rng.int(5, 90) * 1000;
    events.push({ id: eventId(), at: isoUtc(t), kind: 'action', sessionId, action: rng.pick(MOBILE_ACTIONS) });
  }
  if (rng.chance(0.08)) {
    const offer = pickOffer(b, at);
    t += rng.int(3, 30) * 1000;
    events.push({ id: eventId(), at: isoUtc(t), kind: 'offer.impression', offerId: offer.offerId, product: offer.product });
    if (rng.chance(0.35)) {
      t += rng.int(3, 60) * 1000;
      events.push({ id: eventId(), at: isoUtc(t), kind: 'offer.response', offerId: offer.offerId, product: offer.product, response: rng.chance(0.25) ? 'accepted' : 'declined' });
    }
  }
  if (rng.chance(0.03)) {
    t += rng.int(3, 30) * 1000;
    events.push({ id: eventId(), at: isoUtc(t), kind: 'rating', stars: rng.weightedNumber({ 1: 4, 2: 5, 3: 11, 4: 35, 5: 45 }) });
  }
  const sentAt = t + rng.int(1, 60) * 1000;
  if (sentAt > b.latest) return;
  // The back end knows the customer number only once the app user is bound to an account.
  const withCif = at >= m.linkAt && rng.chance(0.5);
  const appVersion = at < ctx.startMs + (ctx.options.days * DAY) / 2 ? '7.3.2' : '7.4.1';
  b.items.push({
    endpoint: 'mobile',
    at,
    body: {
      batchId: b.nativeId('b'),
      userId: m.userId,
      ...(withCif ? { cif: plan.customerNumber } : {}),
      device: { id: m.deviceId, platform: m.platform, appVersion, osVersion: m.platform === 'ios' ? '18.1' : m.platform === 'android' ? '15' : '4.2' },
      sentAt: isoUtc(sentAt),
      events,
    },
    eventCount: events.length,
  });
};

const pickOffer = (b: HistoryBuilder, at: number): { offerId: string; product: string } => {
  const d = new Date(at);
  const quarter = Math.floor(d.getUTCMonth() / 3) + 1;
  const catalogue = ['Platinum credit card', 'Wealth management plan 90-day', 'Time deposit 3-year', 'Mortgage rate switch', 'Travel insurance', 'Gold savings account'];
  const n = b.rng.int(0, catalogue.length - 1);
  return { offerId: `OF-${d.getUTCFullYear()}-Q${quarter}-${String(n + 1).padStart(2, '0')}`, product: catalogue[n] ?? 'Gold savings account' };
};

interface CallExtras {
  readonly complaint?: CallRecordWire['complaint'];
  readonly npsAllowed: boolean;
}

const call = (b: HistoryBuilder, at: number, extras: CallExtras): void => {
  const { plan, rng } = b;
  const outbound = rng.chance(0.1);
  const abandoned = !outbound && extras.complaint === undefined && rng.chance(0.06);
  const [reasonCode, queue] = rng.pick(CALL_REASONS);
  const answered = abandoned ? undefined : at + rng.int(5, 180) * 1000;
  const ended = answered === undefined ? at + rng.int(20, 300) * 1000 : answered + rng.int(60, 900) * 1000;
  if (ended + 5 * MINUTE > b.latest) return;
  const verified = outbound || rng.chance(0.6);
  const code: DispositionCodeWire = abandoned ? 'ABANDONED' : rng.weighted({ RESOLVED: 78, TRANSFERRED: 12, CALLBACK_SCHEDULED: 10 });
  const survey =
    !abandoned && rng.chance(0.12)
      ? extras.npsAllowed && rng.chance(0.4)
        ? { type: 'nps' as const, score: rng.weightedNumber({ 7: 18, 8: 24, 9: 30, 10: 28 }), answeredAt: isoLocal(ended + rng.int(10, 90) * 1000) }
        : { type: 'csat' as const, score: rng.weightedNumber({ 1: 3, 2: 5, 3: 12, 4: 35, 5: 45 }), answeredAt: isoLocal(ended + rng.int(10, 90) * 1000) }
      : undefined;
  const sentiment = !abandoned && rng.chance(0.8) ? { score: noNegZero(Math.round(Math.max(-1, Math.min(1, 0.15 + 0.35 * rng.normal())) * 100) / 100), model: 'sa-2.3' } : undefined;
  const record: CallRecordWire = {
    callId: b.nativeId('CALL'),
    direction: outbound ? 'outbound' : 'inbound',
    ...(verified && !rng.chance(0.3) ? {} : { ani: plan.phone }),
    ...(verified ? { customerCif: plan.customerNumber } : {}),
    queue: extras.complaint ? 'complaints' : queue,
    ...(abandoned ? {} : { agentId: `AG-${rng.int(100, 480)}` }),
    startedAt: isoLocal(at),
    ...(answered === undefined ? {} : { answeredAt: isoLocal(answered) }),
    endedAt: isoLocal(ended),
    disposition: { code, reasonCode: abandoned ? 'queue-abandoned' : extras.complaint ? 'complaint' : reasonCode },
    ...(sentiment ? { sentiment } : {}),
    ...(extras.complaint ? { complaint: extras.complaint } : {}),
    ...(survey ? { survey } : {}),
  };
  const count = 1 + (extras.complaint ? (extras.complaint.resolvedOnCall ? 2 : 1) : 0) + (survey ? 1 : 0);
  b.items.push({ endpoint: 'call-centre', at, body: record, eventCount: count });
};

/** Complaints, surveys, campaign offers: the service-quality side of the 360. */
const careAndFeedback = (b: HistoryBuilder, touches: readonly Touch[]): Set<number> => {
  const { plan, ctx, rng } = b;
  const drift = new Set(plan.drift);
  const usedCalls = new Set<number>();
  const channelOf = (): Channel => (plan.persona === 'digital-first' ? 'mobile' : plan.persona === 'call-centre' ? 'call-centre' : 'branch');
  const earliest = Math.max(ctx.startMs, plan.registeredAt + DAY);

  if (!drift.has('complaint-sla-breached') && rng.chance(0.035)) {
    const severity = rng.weighted({ low: 50, medium: 35, high: 15 });
    const category = rng.pick(COMPLAINT_CATEGORIES);
    const calls = touches.map((t, i) => ({ t, i })).filter((x) => x.t.channel === 'call');
    const complaintId = b.nativeId('CMP');
    const viaCall = calls.length > 0 && rng.chance(0.5) ? rng.pick(calls) : undefined;
    if (viaCall !== undefined) {
      // Taken on the phone and settled on the call (the CTI record carries both).
      usedCalls.add(viaCall.i);
      call(b, viaCall.t.at, { npsAllowed: !drift.has('nps-detractor'), complaint: { ticketId: complaintId, category, severity, resolvedOnCall: { resolution: 'Explained and corrected on the call.' } } });
    } else {
      const raisedAt = atLocalHour(earliest + rng.float() * Math.max(DAY, ctx.nowMs - 10 * DAY - earliest), rng.between(9, 20));
      b.canonical('ComplaintRaised', raisedAt, COMPLAINTS, { complaintId, category, severity, channel: channelOf() });
      // Resolved within its SLA: steady customers do not trip the complaint rule.
      b.canonical('ComplaintResolved', raisedAt + rng.between(0.1, 0.8) * SLA_HOURS[severity] * HOUR, COMPLAINTS, { complaintId, resolution: 'Resolved with the customer; fee refunded where due.' });
    }
  }
  if (drift.has('complaint-sla-breached')) {
    const severity = rng.chance(0.7) ? 'medium' : 'high';
    b.canonical('ComplaintRaised', ctx.nowMs - rng.between(8, 40) * DAY, COMPLAINTS, { complaintId: b.nativeId('CMP'), category: rng.pick(COMPLAINT_CATEGORIES), severity, channel: channelOf() });
  }

  // Relationship NPS survey (email/SMS, through the survey platform).
  let detractorAt: number | null = null;
  if (drift.has('nps-detractor')) {
    detractorAt = ctx.nowMs - rng.between(3, 60) * DAY;
    b.canonical('SurveyAnswered', detractorAt, SURVEYS, { kind: 'nps', score: rng.weightedNumber({ 0: 5, 1: 5, 2: 8, 3: 12, 4: 15, 5: 25, 6: 30 }) });
  }
  if (rng.chance(0.18)) {
    const until = detractorAt ?? ctx.nowMs - DAY; // an earlier, happier answer never hides the detractor
    if (until > earliest) b.canonical('SurveyAnswered', earliest + rng.float() * (until - earliest), SURVEYS, { kind: 'nps', score: rng.weightedNumber({ 7: 18, 8: 24, 9: 30, 10: 28 }) });
  }
  if ((plan.persona === 'branch-reliant' || plan.band === 'important' || plan.band === 'top') && rng.chance(0.15)) {
    const at = atLocalHour(earliest + rng.float() * Math.max(DAY, ctx.nowMs - 2 * DAY - earliest), rng.between(9.5, 16));
    const offer = pickOffer(b, at);
    b.canonical('OfferPresented', at, CAMPAIGNS, offer);
    if (rng.chance(0.4)) b.canonical('OfferResponded', at + rng.between(1, 48) * HOUR, CAMPAIGNS, { ...offer, response: rng.chance(0.35) ? 'accepted' : 'declined' });
  }
  return usedCalls;
};

export const buildCustomerTraffic = (ctx: HistoryContext, plan: CustomerPlan): CustomerTraffic => {
  const rng = new Random(`c360-demo/${ctx.options.seed}/history/${plan.index}`);
  const ids = new Random(`c360-demo/${ctx.options.seed}/${ctx.runTag}/ids/${plan.index}`);
  const b = new HistoryBuilder(ctx, plan, rng, ids);
  coreBanking(b);
  const touches = channelTouches(b);
  const usedCalls = careAndFeedback(b, touches);
  touches.forEach((t, i) => {
    if (t.channel === 'branch') branchVisit(b, t.at);
    else if (t.channel === 'mobile') mobileSession(b, t.at);
    else if (!usedCalls.has(i)) call(b, t.at, { npsAllowed: !plan.drift.includes('nps-detractor') });
  });
  const x = plan.transferOut;
  if (x !== null && plan.persona === 'branch-reliant' && plan.silenceFrom === null) {
    // A branch-reliant customer moves the money at the counter: a visit and the teller's transfer.
    branchVisit(b, x.at - 20 * MINUTE);
    branchTransaction(b, x.at, 'TRANSFER_OUT', x.amountMinor, `T-${plan.branchCode.slice(3)}-01`, { cif: plan.customerNumber }, x.bank);
  }
  const items = b.items.map((item, n) => ({ item, n })).sort((p, q) => p.item.at - q.item.at || p.n - q.n).map((x2) => x2.item);
  const customer: DemoCustomer = {
    index: plan.index,
    customerNumber: plan.customerNumber,
    kind: plan.kind,
    region: plan.region.code,
    branchCode: plan.branchCode,
    ageBand: plan.ageBand,
    persona: plan.persona,
    endValueMinor: plan.endValueMinor,
    registeredAt: plan.registeredAt,
    salaried: plan.salary !== null,
    managerId: plan.manager === null ? null : (plan.manager.change?.to ?? plan.manager.initial),
    mobileUserId: plan.mobile?.userId ?? null,
    lateMobileLink: plan.mobile?.late ?? false,
    phone: plan.phone,
    cardToken: plan.cardToken,
    drift: plan.drift,
  };
  return { customer, items };
};
