import { day, registration, streamOf, type StreamBuilder } from '../testing/event-builder';
import { foldCustomer } from '../customer-360/customer-360.fold';
import { initialCustomer360 } from '../customer-360/customer-360.state';
import {
  BRANCH_RELIANT_SEGMENT,
  BUILT_IN_SEGMENTS,
  DIGITAL_FIRST_SEGMENT,
  GROWTH_SEGMENT,
  POTENTIAL_SEGMENT,
  TIER_SEGMENTS,
  UNPROFITABLE_SEGMENT,
} from './built-in-segments';
import { customerFacts } from './customer-facts';
import {
  diffMembership,
  evaluateSegment,
  evaluateSegments,
  segmentDefinitionErrors,
  type SegmentDefinition,
} from './segment-membership';

const NOW = day(100);

const customer = (build: (b: StreamBuilder) => void) => {
  const b = streamOf('C1');
  b.add('CustomerRegistered', registration(), day(0));
  build(b);
  return foldCustomer('C1', b.events);
};

/** One current account whose balance is reported on the given days. */
const balances = (b: StreamBuilder, points: readonly [number, number][]) => {
  b.add('ProductOpened', { productId: 'A1', productType: 'current', currency: 'CNY' }, day(0));
  for (const [d, minor] of points) {
    b.add(
      'BalanceReported',
      { productId: 'A1', balanceMinor: minor, currency: 'CNY', asOfDate: day(d).slice(0, 10) },
      day(d),
    );
  }
};

const visits = (b: StreamBuilder, branch: number, mobile: number, calls = 0) => {
  for (let i = 0; i < branch; i++)
    b.add(
      'BranchVisited',
      { branchCode: 'BJ01', service: 'cash', waitMinutes: 5, tellerId: 'T' },
      day(90 + i * 0.01),
    );
  for (let i = 0; i < mobile; i++)
    b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(91 + i * 0.01));
  for (let i = 0; i < calls; i++) {
    b.add(
      'CallHandled',
      {
        callId: `c${i}`,
        reason: 'r',
        durationSec: 60,
        outcome: 'resolved',
        sentiment: 0,
        agentId: 'a',
      },
      day(92 + i * 0.01),
    );
  }
};

const member = (segment: SegmentDefinition, build: (b: StreamBuilder) => void) =>
  evaluateSegment(segment, customer(build), NOW);

const tier = (t: string) => TIER_SEGMENTS.find((s) => s.id === `tier-${t}`)!;

describe('built-in segments', () => {
  it('tiers: a value exactly on the core threshold is core, one fen below is mass', () => {
    expect(member(tier('core'), (b) => balances(b, [[1, 5_000_000]]))).toMatchObject({
      member: true,
      reason: 'tier=core = core',
    });
    expect(member(tier('mass'), (b) => balances(b, [[1, 4_999_999]])).member).toBe(true);
    expect(member(tier('core'), (b) => balances(b, [[1, 4_999_999]]))).toMatchObject({
      member: false,
      reason: 'tier=mass not = core',
    });
    expect(member(tier('top'), (b) => balances(b, [[1, 600_000_000]])).member).toBe(true);
    expect(member(tier('important'), (b) => balances(b, [[1, 50_000_000]])).member).toBe(true);
  });

  it('growth: assets up exactly 20% over 90 days on a CNY 1,000 base is in; 19.99% is not', () => {
    expect(
      member(GROWTH_SEGMENT, (b) =>
        balances(b, [
          [5, 100_000],
          [95, 120_000],
        ]),
      ).member,
    ).toBe(true);
    expect(
      member(GROWTH_SEGMENT, (b) =>
        balances(b, [
          [5, 100_000],
          [95, 119_990],
        ]),
      ).member,
    ).toBe(false);
    // Base below CNY 1,000: no growth by balance, however large the percentage.
    expect(
      member(GROWTH_SEGMENT, (b) =>
        balances(b, [
          [5, 99_999],
          [95, 1_000_000],
        ]),
      ).member,
    ).toBe(false);
  });

  it('growth: one more product than 90 days ago is in', () => {
    const r = member(GROWTH_SEGMENT, (b) => {
      balances(b, [[5, 10_000]]);
      b.add('ProductOpened', { productId: 'W1', productType: 'wealth', currency: 'CNY' }, day(60));
    });
    expect(r).toMatchObject({ member: true, reason: 'productGrowth90d=1 ≥ 1' });
  });

  it('growth: empty history is out, with unknown facts in the reason', () => {
    const r = evaluateSegment(GROWTH_SEGMENT, initialCustomer360('C1'), NOW);
    expect(r.member).toBe(false);
    expect(r.reason).toContain('assetsValue90dAgo=unknown');
  });

  const salary = (b: StreamBuilder, monthlyMinor: number) => {
    for (const d of [20, 50, 80]) {
      b.add(
        'MoneyMoved',
        {
          productId: 'A1',
          direction: 'in',
          kind: 'salary',
          amountMinor: monthlyMinor,
          currency: 'CNY',
        },
        day(d),
      );
    }
  };

  it('potential: income of CNY 5,000 a month with one product is in; CNY 4,999.99 is not', () => {
    const r = member(POTENTIAL_SEGMENT, (b) => {
      balances(b, [[1, 1_000_000]]);
      salary(b, 500_000);
    });
    expect(r.member).toBe(true);
    expect(r.reason).toContain('monthlyIncome90d=500000 ≥ 500000');
    expect(
      member(POTENTIAL_SEGMENT, (b) => {
        balances(b, [[1, 1_000_000]]);
        salary(b, 499_999);
      }).member,
    ).toBe(false);
  });

  it('potential: a well-served customer (three products, assets above 3 months of income) is out', () => {
    const r = member(POTENTIAL_SEGMENT, (b) => {
      balances(b, [[1, 4_000_000]]);
      b.add('ProductOpened', { productId: 'S1', productType: 'savings', currency: 'CNY' }, day(2));
      b.add('ProductOpened', { productId: 'W1', productType: 'wealth', currency: 'CNY' }, day(2));
      salary(b, 1_000_000);
    });
    expect(r.member).toBe(false);
    expect(r.reason).toContain('productCount=3 not ≤ 2');
  });

  it('potential: salary sent on to another bank counts as wallet elsewhere', () => {
    const r = member(POTENTIAL_SEGMENT, (b) => {
      balances(b, [[1, 4_000_000]]);
      b.add('ProductOpened', { productId: 'S1', productType: 'savings', currency: 'CNY' }, day(2));
      b.add('ProductOpened', { productId: 'W1', productType: 'wealth', currency: 'CNY' }, day(2));
      salary(b, 1_000_000);
      b.add(
        'MoneyMoved',
        {
          productId: 'A1',
          direction: 'out',
          kind: 'transfer',
          amountMinor: 1_500_000,
          currency: 'CNY',
          counterpartyBank: 'CMB',
        },
        day(81),
      );
    });
    expect(r.member).toBe(true);
    expect(r.reason).toContain('outToOtherBanksShareOfIncome90d=0.50 ≥ 0.50');
  });

  it('digital-first: exactly 80% app sessions is in, 75% is out, under 3 interactions is out', () => {
    expect(member(DIGITAL_FIRST_SEGMENT, (b) => visits(b, 1, 4)).member).toBe(true);
    expect(member(DIGITAL_FIRST_SEGMENT, (b) => visits(b, 1, 3)).member).toBe(false);
    expect(member(DIGITAL_FIRST_SEGMENT, (b) => visits(b, 0, 2))).toMatchObject({
      member: false,
      reason: 'interactions90d=2 not ≥ 3',
    });
  });

  it('branch-reliant: exactly half at a branch is in, less is out', () => {
    expect(member(BRANCH_RELIANT_SEGMENT, (b) => visits(b, 2, 2)).member).toBe(true);
    expect(member(BRANCH_RELIANT_SEGMENT, (b) => visits(b, 2, 2, 1)).member).toBe(false);
  });

  it('both channel segments forget interactions older than 90 days as `now` moves on', () => {
    const s = customer((b) => visits(b, 0, 5));
    expect(evaluateSegment(DIGITAL_FIRST_SEGMENT, s, day(180)).member).toBe(true);
    expect(evaluateSegment(DIGITAL_FIRST_SEGMENT, s, day(182)).member).toBe(false);
  });

  it('unprofitable: names the channel costs that exceed revenue', () => {
    const r = member(UNPROFITABLE_SEGMENT, (b) => {
      balances(b, [[1, 100_000]]);
      visits(b, 2, 1, 1);
    });
    expect(r.member).toBe(true);
    expect(r.reason).toBe(
      'costToServe90d=5850 > revenue90d=493 (branch 2 × 25.00 = 50.00; call-centre 1 × 8.00 = 8.00; mobile 1 × 0.50 = 0.50)',
    );
  });

  it('unprofitable: cost equal to revenue is not below cost', () => {
    const r = member(UNPROFITABLE_SEGMENT, (b) => {
      balances(b, [[1, 507_000]]); // 5,070.00 × 2% × 90/365 = 25.00
      visits(b, 1, 0);
    });
    expect(r.reason).toContain('costToServe90d=2500 not > revenue90d=2500');
    expect(r.member).toBe(false);
  });

  it('work on an erased profile (segments read no personal field)', () => {
    const erased = { erased: true } as unknown as string;
    const b = streamOf('C1');
    b.add(
      'CustomerRegistered',
      registration({
        fullName: erased,
        phone: erased,
        email: erased,
        address: erased,
        nationalId: erased,
        birthDate: erased,
      }),
      day(0),
    );
    visits(b, 0, 5);
    const results = evaluateSegments(BUILT_IN_SEGMENTS, foldCustomer('C1', b.events), NOW);
    // App sessions and no balances: served below cost too.
    expect(results.filter((r) => r.member).map((r) => r.segmentId)).toEqual([
      'tier-mass',
      'digital-first',
      'unprofitable',
    ]);
  });

  it('on empty history only the mass tier holds', () => {
    const results = evaluateSegments(BUILT_IN_SEGMENTS, initialCustomer360('C1'), NOW);
    expect(results.filter((r) => r.member).map((r) => r.segmentId)).toEqual(['tier-mass']);
  });
});

describe('segment rules as data', () => {
  const pilot: SegmentDefinition = {
    ...DIGITAL_FIRST_SEGMENT,
    id: 'digital-first-north',
    scope: { regions: ['north'] },
  };

  it('is JSON: built-ins survive a round trip and validate', () => {
    const copy = JSON.parse(JSON.stringify(BUILT_IN_SEGMENTS)) as unknown[];
    expect(copy).toEqual(BUILT_IN_SEGMENTS);
    for (const d of copy) expect(segmentDefinitionErrors(d)).toEqual([]);
  });

  it('reports every problem of a bad definition', () => {
    expect(
      segmentDefinitionErrors({
        id: 'Bad Id',
        version: 0,
        name: '',
        description: 'x',
        scope: { regions: 'north' },
        rule: {
          all: [
            { field: 'nope', op: 'gte', value: 1 },
            { field: 'tier', op: 'like', value: 'x' },
            { not: { field: 'tier', op: 'in', values: 'top' } },
          ],
        },
      }),
    ).toEqual([
      'id: kebab-case string required',
      'version: positive integer required',
      'name: required',
      'scope.regions: must be an array of strings',
      'rule.all[0].field: unknown fact "nope"',
      'rule.all[1].op: must be one of eq, neq, gt, gte, lt, lte, in, known',
      'rule.all[2].not.values: must be an array of strings or numbers',
    ]);
  });

  it('is scoped: out-of-region customers are not members, and the reason says so', () => {
    const north = customer((b) => visits(b, 0, 5));
    expect(evaluateSegment(pilot, north, NOW).member).toBe(true);
    const b = streamOf('C2');
    b.add('CustomerRegistered', registration({ region: 'south' }), day(0));
    visits(b, 0, 5);
    expect(evaluateSegment(pilot, foldCustomer('C2', b.events), NOW)).toEqual({
      segmentId: 'digital-first-north',
      version: 1,
      member: false,
      reason: 'out of scope: region south not in [north]',
    });
    const byBranch = { ...pilot, scope: { branches: ['SH01'] } };
    expect(evaluateSegment(byBranch, north, NOW).reason).toBe(
      'out of scope: branch BJ01 not in [SH01]',
    );
  });

  it('supports any / not / known / neq', () => {
    const sheet = customerFacts(
      customer((b) => visits(b, 1, 0)),
      NOW,
    );
    const rule = {
      any: [
        { field: 'latestNps', op: 'known' },
        { not: { field: 'region', op: 'neq', value: 'north' } },
      ],
    } as const;
    const def: SegmentDefinition = { id: 'x', version: 1, name: 'x', description: '', rule };
    expect(
      evaluateSegment(
        def,
        customer((b) => visits(b, 1, 0)),
        NOW,
      ),
    ).toMatchObject({ member: true, reason: 'not (region=north not ≠ north)' });
    expect(sheet.facts.latestNps).toBeNull();
  });

  it('diffs membership: entered and left with reasons, withdrawn segments leave', () => {
    const before = [
      { segmentId: 'a', version: 1, member: true, reason: 'x' },
      { segmentId: 'b', version: 1, member: false, reason: 'y' },
      { segmentId: 'c', version: 1, member: true, reason: 'z' },
      { segmentId: 'gone', version: 3, member: true, reason: 'w' },
    ];
    const after = [
      { segmentId: 'a', version: 2, member: false, reason: 'now below' },
      { segmentId: 'b', version: 1, member: true, reason: 'now above' },
      { segmentId: 'c', version: 1, member: true, reason: 'still' },
      { segmentId: 'new', version: 1, member: true, reason: 'fresh' },
    ];
    expect(diffMembership(before, after)).toEqual({
      entered: [
        { segmentId: 'b', version: 1, reason: 'now above' },
        { segmentId: 'new', version: 1, reason: 'fresh' },
      ],
      left: [
        { segmentId: 'a', version: 2, reason: 'now below' },
        { segmentId: 'gone', version: 3, reason: 'segment withdrawn' },
      ],
    });
    expect(diffMembership([], [])).toEqual({ entered: [], left: [] });
  });
});
