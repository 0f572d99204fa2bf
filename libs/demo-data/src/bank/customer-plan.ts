import type { ProductType } from '@c360/contracts';
import type { ChurnCode } from '@c360/customer-domain';
import { Random } from '../random/random';
import type { DemoBankOptions, RegionSpec } from './bank-options';
import { DAY, atLocalHour, monthlyOn } from './calendar';
import {
  syntheticAddress,
  syntheticCompany,
  syntheticEmail,
  syntheticIndividual,
  syntheticNationalId,
  syntheticPhone,
} from './synthetic-people';
import type { AgeBand, Persona } from './traffic-item';

/**
 * The plan of one customer: who they are, what they hold at the end, how they use the channels,
 * and which churn signals they drift into. Drawn from the customer's own random stream, so it
 * depends only on (seed, index) and the bank's time frame.
 */

/**
 * End-of-history assets: lognormal with median CNY 28,000 and σ = 2.3 — the book the domain's
 * default tier thresholds (CNY 6m / 500k / 50k) were calibrated on, which splits ≈ 1/9/30/60 %
 * and gives the top 20 % of customers ≈ 90 % of the balances, as in real retail books.
 */
const MEDIAN_VALUE_MINOR = 2_800_000;
const VALUE_SIGMA = 2.3;
const MIN_VALUE_MINOR = 50;
const MAX_VALUE_MINOR = 50_000_000_000; // CNY 500m

/** The default tier lines (CNY fen), restated to steer products and businesses by value band. */
type Band = 'top' | 'important' | 'core' | 'mass';
const bandOf = (v: number): Band => (v >= 600_000_000 ? 'top' : v >= 50_000_000 ? 'important' : v >= 5_000_000 ? 'core' : 'mass');

export interface PlannedProduct {
  readonly productId: string;
  readonly productType: ProductType;
  readonly openedAt: number;
  /** Balance at the end (negative for lending); 0 for a product closed before the end. */
  readonly finalMinor: number;
  /** For a product closed during the history: when, why, and what it held until then. */
  readonly closure: { readonly at: number; readonly reason: string; readonly heldMinor: number } | null;
}

export interface CustomerPlan {
  readonly index: number;
  readonly customerNumber: string;
  readonly kind: 'individual' | 'business';
  readonly fullName: string;
  readonly nationalId: string;
  readonly birthDate: string;
  readonly phone: string;
  readonly email: string;
  readonly address: string;
  readonly region: RegionSpec;
  readonly branchCode: string;
  readonly branchNumber: number;
  readonly ageBand: AgeBand | null;
  readonly persona: Persona;
  readonly band: Band;
  readonly endValueMinor: number;
  readonly registeredAt: number;
  readonly newCustomer: boolean;
  readonly products: readonly PlannedProduct[];
  /** Customer-level drift of balances over the history (steady customers only). */
  readonly growth: number;
  readonly salary: { readonly amountMinor: number; readonly credits: readonly number[] } | null;
  readonly manager: { readonly initial: string; readonly assignedAt: number; readonly change: { readonly to: string; readonly at: number } | null } | null;
  readonly mobile: { readonly userId: string; readonly deviceId: string; readonly platform: 'ios' | 'android' | 'harmonyos'; readonly linkAt: number; readonly late: boolean } | null;
  readonly cardToken: string | null;
  /** Interactions per month on each channel. */
  readonly rates: { readonly branch: number; readonly mobile: number; readonly call: number };
  readonly drift: readonly ChurnCode[];
  /** Parameters of the drift signals that need them. */
  readonly silenceFrom: number | null;
  readonly drain: { readonly from: number; readonly to: number; readonly factor: number } | null;
  readonly transferOut: { readonly at: number; readonly amountMinor: number; readonly bank: string } | null;
}

export interface PlanContext {
  readonly options: DemoBankOptions;
  readonly nowMs: number;
  readonly startMs: number;
}

/** Fictional BICs of the rival banks money leaves for. */
export const RIVAL_BANKS: readonly string[] = ['RIVACNSH', 'RIVBCNBJ', 'RIVCCNGZ', 'RIVDHKHH'];

const PERSONAS_BY_AGE: Readonly<Record<AgeBand, Readonly<Record<Exclude<Persona, 'business'>, number>>>> = {
  young: { 'digital-first': 72, hybrid: 18, 'call-centre': 5, 'branch-reliant': 5 },
  middle: { 'digital-first': 38, hybrid: 35, 'call-centre': 12, 'branch-reliant': 15 },
  senior: { 'digital-first': 8, hybrid: 20, 'call-centre': 22, 'branch-reliant': 50 },
};

const RATES: Readonly<Record<Persona, { branch: number; mobile: number; call: number }>> = {
  'digital-first': { branch: 0.12, mobile: 2.6, call: 0.12 },
  hybrid: { branch: 0.6, mobile: 1.4, call: 0.25 },
  'branch-reliant': { branch: 1.7, mobile: 0, call: 0.3 },
  'call-centre': { branch: 0.35, mobile: 0.5, call: 1.2 },
  business: { branch: 0.9, mobile: 1.6, call: 0.25 },
};
const ENGAGEMENT: Readonly<Record<Band, number>> = { mass: 0.75, core: 1, important: 1.2, top: 1.4 };
const BUSINESS_SHARE: Readonly<Record<Band, number>> = { mass: 0.04, core: 0.1, important: 0.22, top: 0.45 };

const DRIFT_WEIGHTS: Readonly<Record<ChurnCode, number>> = {
  inactivity: 3,
  'balance-drain': 3,
  'salary-stopped': 2.5,
  'large-transfer-out': 2,
  'nps-detractor': 2,
  'complaint-sla-breached': 1.5,
  'product-closures': 1.5,
  'manager-changed': 3,
};

const SALARY_STOP_DAYS = 52;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const customerNumberOf = (seed: number, index: number): string => `C${seed}-${pad(index + 1, 7)}`;

export const planCustomer = (ctx: PlanContext, index: number): CustomerPlan => {
  const { options, nowMs, startMs } = ctx;
  const { seed, days } = options;
  const rng = new Random(`c360-demo/${seed}/customer/${index}`);
  const idx36 = index.toString(36);
  const customerNumber = customerNumberOf(seed, index);

  const z = rng.normal();
  const endValueMinor = Math.min(MAX_VALUE_MINOR, Math.max(MIN_VALUE_MINOR, Math.round(MEDIAN_VALUE_MINOR * Math.exp(VALUE_SIGMA * z))));
  const band = bandOf(endValueMinor);
  const kind = rng.chance(BUSINESS_SHARE[band]) ? 'business' : 'individual';

  const region = rng.weightedNumber(Object.fromEntries(options.regions.map((r, i) => [i, r.weight])));
  const regionSpec = options.regions[region] ?? options.regions[0];
  if (regionSpec === undefined) throw new RangeError('no region');
  const branchNumber = rng.int(1, options.branchesPerRegion);
  const branchCode = `BR-${regionSpec.code.toUpperCase().slice(0, 3)}-${pad(branchNumber, 2)}`;
  const city = rng.pick(regionSpec.cities);

  // Older customers hold more, mildly: age and value correlate in every retail book.
  const age = kind === 'individual' ? Math.min(88, Math.max(18, Math.round(44 + 12 * rng.normal() + 4 * z))) : null;
  const ageBand: AgeBand | null = age === null ? null : age < 36 ? 'young' : age < 56 ? 'middle' : 'senior';
  const persona: Persona = ageBand === null ? 'business' : rng.weighted(PERSONAS_BY_AGE[ageBand]);
  const nowYear = new Date(nowMs).getUTCFullYear();
  const birthYear = age === null ? nowYear - rng.int(2, 30) : nowYear - age;
  const birthDate = `${birthYear}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`;

  const person = kind === 'individual' ? syntheticIndividual(rng) : syntheticCompany(rng, city.zh, city.en);

  const drifter = rng.chance(options.churnShare);
  const newCustomer = !drifter && rng.chance(0.1);
  const registeredAt = newCustomer
    ? atLocalHour(startMs + rng.between(0, days - 30) * DAY, rng.between(9.5, 16.5))
    : atLocalHour(startMs - rng.between(30, 8 * 365) * DAY, rng.between(9.5, 16.5));
  const beforeWindow = (from: number): number => from + rng.between(0.01, 1) * Math.max(DAY, startMs - DAY - from);

  // Products: a current account for everyone; more and richer ones up the value bands.
  const products: PlannedProduct[] = [];
  const productSeq = { n: 0 };
  const pid = (type: ProductType): string => {
    productSeq.n += 1;
    const code = { current: 'CUR', savings: 'SAV', 'time-deposit': 'TD', 'credit-card': 'CC', loan: 'LN', mortgage: 'MG', wealth: 'WM', insurance: 'INS' }[type];
    return `${customerNumber}-${code}${productSeq.n}`;
  };
  const openAt = (): number => {
    if (newCustomer) return registeredAt + rng.between(0.001, 2) * DAY;
    // Now and then a product is opened during the history (cross-sell shows in the timeline).
    return rng.chance(0.1) ? atLocalHour(startMs + rng.between(3, days - 10) * DAY, rng.between(9.5, 16.5)) : beforeWindow(registeredAt);
  };
  const assetWeights: { type: ProductType; weight: number }[] = [{ type: 'current', weight: band === 'mass' ? 3 : 1 }];
  const p = (byBand: Readonly<Record<Band, number>>): boolean => rng.chance(byBand[band]);
  if (p({ mass: 0.3, core: 0.7, important: 0.85, top: 0.9 })) assetWeights.push({ type: 'savings', weight: 2 });
  if (p({ mass: 0.05, core: 0.3, important: 0.6, top: 0.8 })) assetWeights.push({ type: 'time-deposit', weight: 3 });
  if (p({ mass: 0, core: 0.1, important: 0.5, top: 0.9 })) assetWeights.push({ type: 'wealth', weight: 4 });
  if (kind === 'individual' && p({ mass: 0.02, core: 0.1, important: 0.3, top: 0.5 })) assetWeights.push({ type: 'insurance', weight: 1 });
  const weights = assetWeights.map((a) => a.weight * rng.between(0.5, 1.5));
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  let allocated = 0;
  assetWeights.forEach((a, i) => {
    // The current account (first) takes the remainder, so the assets add up to the value exactly.
    const share = i === 0 ? 0 : Math.round((endValueMinor * (weights[i] ?? 0)) / totalWeight);
    allocated += share;
    products.push({ productId: pid(a.type), productType: a.type, openedAt: i === 0 ? registeredAt + 10 * 60_000 : openAt(), finalMinor: share, closure: null });
  });
  const current = products[0];
  if (current === undefined) throw new RangeError('no current account');
  products[0] = { ...current, finalMinor: endValueMinor - allocated };

  const salaried = kind === 'individual' && age !== null && rng.chance(age < 63 ? 0.78 : 0.55);
  const salaryAmount = Math.round(Math.min(30_000_000, Math.max(250_000, 900_000 * Math.exp(0.5 * rng.normal() + 0.25 * z))));
  if (p({ mass: 0.25, core: 0.5, important: 0.6, top: 0.7 })) {
    const limit = salaried ? salaryAmount * 1.5 : 5_000_000;
    products.push({ productId: pid('credit-card'), productType: 'credit-card', openedAt: openAt(), finalMinor: -Math.round(rng.between(0, limit)), closure: null });
  }
  if (kind === 'individual' && ageBand === 'middle' && rng.chance(0.2)) {
    products.push({ productId: pid('mortgage'), productType: 'mortgage', openedAt: beforeWindow(registeredAt), finalMinor: -Math.round(rng.between(20_000_000, 300_000_000)), closure: null });
  }
  if (kind === 'business' && rng.chance(0.4)) {
    products.push({ productId: pid('loan'), productType: 'loan', openedAt: beforeWindow(registeredAt), finalMinor: -Math.round(rng.between(50_000_000, 2_000_000_000)), closure: null });
  }
  // Steady closures happen well before the churn rules' 90-day look-back (a time deposit matures).
  if (!drifter && !newCustomer && rng.chance(0.08)) {
    products.push({
      productId: pid('time-deposit'),
      productType: 'time-deposit',
      openedAt: beforeWindow(registeredAt),
      finalMinor: 0,
      closure: { at: atLocalHour(startMs + rng.between(3, days - 100) * DAY, rng.between(9.5, 16.5)), reason: 'matured', heldMinor: Math.round(endValueMinor * rng.between(0.1, 0.5)) + 500_000 },
    });
  }

  const salaryCredits = salaried
    ? monthlyOn(rng.pick([5, 10, 15, 20, 25]), Math.max(startMs, registeredAt + DAY), nowMs).map((d) => d + 2 * 3_600_000 + rng.int(0, 3_000_000)).filter((t) => t < nowMs - 60_000)
    : [];

  const managed = band === 'top' || band === 'important' || (kind === 'business' && band === 'core');
  const rm = (): string => `RM-${regionSpec.code.toUpperCase().slice(0, 3)}-${pad(rng.int(1, 12), 2)}`;
  const initialManager = managed ? rm() : null;
  let managerChange: { to: string; at: number } | null = null;
  if (initialManager !== null && !newCustomer && !drifter && rng.chance(0.1)) {
    managerChange = { to: rm(), at: atLocalHour(startMs + rng.between(2, days - 100) * DAY, rng.between(9.5, 17)) };
  }

  const engagement = ENGAGEMENT[band] * Math.exp(0.35 * rng.normal());
  const base = RATES[persona];
  const rates = { branch: base.branch * engagement, mobile: base.mobile * engagement, call: base.call * engagement };

  let mobile: CustomerPlan['mobile'] = null;
  if (rates.mobile > 0) {
    const late = !drifter && !newCustomer && rng.chance(0.08);
    const linkAt = newCustomer
      ? registeredAt + rng.between(0.01, 3) * DAY
      : late
        ? atLocalHour(startMs + rng.between(5, days * 0.6) * DAY, rng.between(8, 22))
        : beforeWindow(registeredAt);
    mobile = { userId: `mu-${seed}-${idx36}`, deviceId: `dev-${seed}-${idx36}`, platform: rng.weighted({ android: 55, ios: 35, harmonyos: 10 }), linkAt, late };
  }
  const cardToken = rng.chance(0.85) ? `tok_${seed}x${idx36}` : null;

  // Drift: pick one to three signals among those this customer can show.
  let drift: ChurnCode[] = [];
  let silenceFrom: number | null = null;
  let drain: CustomerPlan['drain'] = null;
  let transferOut: CustomerPlan['transferOut'] = null;
  let managerChangeDrift: { to: string; at: number } | null = null;
  if (drifter) {
    const eligible: ChurnCode[] = ['inactivity', 'nps-detractor', 'complaint-sla-breached', 'product-closures'];
    if (endValueMinor >= 500_000) eligible.push('balance-drain');
    if (endValueMinor >= 100_000) eligible.push('large-transfer-out');
    if (salaryCredits.filter((t) => t <= nowMs - SALARY_STOP_DAYS * DAY).length >= 3) eligible.push('salary-stopped');
    if (initialManager !== null && (band === 'top' || band === 'important')) eligible.push('manager-changed');
    const count = rng.weightedNumber({ 1: 55, 2: 35, 3: 10 });
    const pool = [...eligible];
    for (let i = 0; i < count && pool.length > 0; i++) {
      const pick = rng.weighted(Object.fromEntries(pool.map((c) => [c, DRIFT_WEIGHTS[c]])) as Record<ChurnCode, number>);
      drift.push(pick);
      pool.splice(pool.indexOf(pick), 1);
    }
    drift = [...drift].sort();
    if (drift.includes('inactivity')) silenceFrom = nowMs - rng.between(63, 80) * DAY;
    if (drift.includes('balance-drain')) {
      const from = nowMs - rng.between(25, 75) * DAY;
      drain = { from, to: Math.min(nowMs - 2 * DAY, from + rng.between(5, 20) * DAY), factor: 1 / rng.between(0.15, 0.38) };
    }
    if (drift.includes('large-transfer-out')) {
      const at = atLocalHour(nowMs - rng.between(2, 25) * DAY, rng.between(9.5, 15.5));
      transferOut = { at, amountMinor: Math.min(MAX_VALUE_MINOR, Math.round(endValueMinor * rng.between(1.1, 2.5))), bank: rng.pick(RIVAL_BANKS) };
    }
    if (drift.includes('product-closures')) {
      const type: ProductType = rng.pick(['savings', 'wealth', 'credit-card', 'time-deposit'] as const);
      products.push({
        productId: pid(type),
        productType: type,
        openedAt: beforeWindow(registeredAt),
        finalMinor: 0,
        closure: {
          at: atLocalHour(nowMs - rng.between(5, 60) * DAY, rng.between(9.5, 15.5)),
          reason: rng.pick(['moving to another bank', 'customer request', 'better rate elsewhere']),
          heldMinor: type === 'credit-card' ? 0 : Math.round(endValueMinor * rng.between(0.2, 0.8)) + 1_000_000,
        },
      });
    }
    if (drift.includes('manager-changed') && initialManager !== null) {
      let to = rm();
      if (to === initialManager) to = `${initialManager.slice(0, -2)}${pad((Number(initialManager.slice(-2)) % 12) + 1, 2)}`;
      managerChangeDrift = { to, at: atLocalHour(nowMs - rng.between(5, 80) * DAY, rng.between(9.5, 17)) };
    }
  }
  // Stopped: nothing for 52+ days, past the rule's 1.5 × the monthly rhythm (≈ 46 days).
  const credits = drift.includes('salary-stopped') ? salaryCredits.filter((t) => t <= nowMs - SALARY_STOP_DAYS * DAY) : salaryCredits;

  return {
    index,
    customerNumber,
    kind,
    fullName: person.fullName,
    nationalId: syntheticNationalId(seed, index, kind === 'business'),
    birthDate,
    phone: syntheticPhone(seed, index),
    email: syntheticEmail(person.mailbox, index + 1),
    address: syntheticAddress(rng, city.zh, city.en),
    region: regionSpec,
    branchCode,
    branchNumber,
    ageBand,
    persona,
    band,
    endValueMinor,
    registeredAt,
    newCustomer,
    products,
    growth: drifter ? 0 : 0.03 + 0.05 * rng.normal(),
    salary: salaried ? { amountMinor: salaryAmount, credits } : null,
    manager:
      initialManager === null
        ? null
        : { initial: initialManager, assignedAt: newCustomer ? registeredAt + DAY : beforeWindow(registeredAt), change: managerChangeDrift ?? managerChange },
    mobile,
    cardToken,
    rates,
    drift,
    silenceFrom,
    drain,
    transferOut,
  };
};
