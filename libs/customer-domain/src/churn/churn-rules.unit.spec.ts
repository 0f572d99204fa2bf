import { day, registration, streamOf, type StreamBuilder } from '../testing/event-builder';
import { foldCustomer } from '../customer-360/customer-360.fold';
import { initialCustomer360 } from '../customer-360/customer-360.state';
import {
  CHURN_CODES,
  DEFAULT_CHURN_CONFIG,
  resolveChurnConfig,
  type ChurnCode,
} from './churn-config';
import {
  churnRiskScore,
  diffFlags,
  evaluateChurn,
  type ChurnFlag,
  type OpenChurnFlag,
} from './churn-rules';

const MS = 1;
const ms = (iso: string, delta: number): string => new Date(Date.parse(iso) + delta).toISOString();

const customer = (build: (b: StreamBuilder) => void) => {
  const b = streamOf('C1');
  b.add('CustomerRegistered', registration(), day(0));
  build(b);
  return { state: foldCustomer('C1', b.events), events: b.events };
};

const flag = (
  code: ChurnCode,
  build: (b: StreamBuilder) => void,
  now: string,
): ChurnFlag | undefined => evaluateChurn(customer(build).state, now).find((f) => f.code === code);

const account = (b: StreamBuilder, balanceMinor: number, d = 1) => {
  b.add('ProductOpened', { productId: 'A1', productType: 'current', currency: 'CNY' }, day(0));
  b.add(
    'BalanceReported',
    { productId: 'A1', balanceMinor, currency: 'CNY', asOfDate: day(d).slice(0, 10) },
    day(d),
  );
};

describe('churn rules', () => {
  it('no history, no flags; an erased profile changes nothing', () => {
    expect(evaluateChurn(initialCustomer360('C1'), day(500))).toEqual([]);
    const erased = { erased: true } as unknown as string;
    const b = streamOf('C1');
    b.add('CustomerRegistered', registration({ fullName: erased, phone: erased }), day(0));
    expect(evaluateChurn(foldCustomer('C1', b.events), day(500))).toEqual([]);
  });

  describe('inactivity on usual channels', () => {
    const branchRegular = (b: StreamBuilder) => {
      for (const d of [1, 5, 10])
        b.add(
          'BranchVisited',
          { branchCode: 'BJ01', service: 'cash', waitMinutes: 5, tellerId: 'T' },
          day(d),
        );
    };

    it('flags a silent customer from `now` alone, exactly at the threshold', () => {
      const { state, events } = customer(branchRegular);
      expect(evaluateChurn(state, ms(day(70), -MS)).map((f) => f.code)).not.toContain('inactivity');
      const f = evaluateChurn(state, day(70)).find((x) => x.code === 'inactivity');
      expect(f).toEqual({
        code: 'inactivity',
        reason: 'no interaction on usual channels (branch) for 60 days (threshold 60)',
        evidenceEventIds: [events[3]!.eventId],
        since: day(70),
      });
    });

    it('needs a pattern first: fewer than 3 interactions never flag', () => {
      expect(
        flag(
          'inactivity',
          (b) => b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(1)),
          day(400),
        ),
      ).toBeUndefined();
    });

    it('an occasional channel (< 20%) does not keep a usual one alive... but a usual one does', () => {
      const build = (b: StreamBuilder) => {
        for (let i = 0; i < 9; i++)
          b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(1 + i));
        b.add(
          'CallHandled',
          {
            callId: 'c',
            reason: 'r',
            durationSec: 1,
            outcome: 'resolved',
            sentiment: 0,
            agentId: 'a',
          },
          day(40),
        );
      };
      const f = flag('inactivity', build, day(69));
      expect(f?.reason).toBe(
        'no interaction on usual channels (mobile) for 60 days (threshold 60)',
      );
      expect(
        flag(
          'inactivity',
          (b) => {
            build(b);
            b.add('MobileSessionStarted', { deviceId: 'd', appVersion: '1' }, day(40));
          },
          day(69),
        ),
      ).toBeUndefined();
    });
  });

  describe('balance drain', () => {
    const drain =
      (to: number, from = 10_000_000) =>
      (b: StreamBuilder) => {
        account(b, from, 5);
        b.add(
          'BalanceReported',
          { productId: 'A1', balanceMinor: to, currency: 'CNY', asOfDate: day(80).slice(0, 10) },
          day(80),
        );
      };

    it('flags more than 50% down over 90 days; exactly 50% is not more', () => {
      expect(flag('balance-drain', drain(5_000_000), day(95))).toBeUndefined();
      const f = flag('balance-drain', drain(4_999_999), day(95));
      expect(f?.reason).toBe(
        'assets down 50.0% in 90 days (100000.00 → 49999.99 CNY; threshold 50%)',
      );
      expect(f?.evidenceEventIds).toEqual(['C1-2', 'C1-3']);
      expect(f?.since).toBe('2026-03-22T00:00:00.000Z');
    });

    it('ignores small balances and clears once the drop is older than the window', () => {
      expect(flag('balance-drain', drain(0, 999_999), day(95))).toBeUndefined();
      expect(flag('balance-drain', drain(0), day(95))).toBeDefined();
      expect(flag('balance-drain', drain(0), day(170))).toBeUndefined(); // baseline is now the drained balance
    });

    it('is configurable', () => {
      const cfg = resolveChurnConfig({ balanceDrain: { dropPct: 30 } });
      expect(
        evaluateChurn(customer(drain(6_999_999)).state, day(95), cfg).map((f) => f.code),
      ).toContain('balance-drain');
      expect(cfg.balanceDrain.windowDays).toBe(90);
    });
  });

  describe('salary stopped', () => {
    const salaries = (days: readonly number[]) => (b: StreamBuilder) => {
      for (const d of days)
        b.add(
          'MoneyMoved',
          {
            productId: 'A1',
            direction: 'in',
            kind: 'salary',
            amountMinor: 800_000,
            currency: 'CNY',
          },
          day(d),
        );
    };

    it('flags a monthly salary missing for more than 1.5 intervals, from `now` alone', () => {
      expect(flag('salary-stopped', salaries([0, 30, 60]), day(105))).toBeUndefined(); // exactly 45 days
      expect(flag('salary-stopped', salaries([0, 30, 60]), ms(day(105), MS))).toEqual({
        code: 'salary-stopped',
        reason: 'no salary credit for 45 days; usually every 30 days (allowed 45)',
        evidenceEventIds: ['C1-3'],
        since: day(105),
      });
    });

    it('needs 3 credits to trust a rhythm', () => {
      expect(flag('salary-stopped', salaries([0, 30]), day(300))).toBeUndefined();
    });
  });

  describe('large transfers to another bank', () => {
    const transfer =
      (amount: number, d = 50) =>
      (b: StreamBuilder) => {
        account(b, 100_000_000);
        b.add(
          'MoneyMoved',
          {
            productId: 'A1',
            direction: 'out',
            kind: 'transfer',
            amountMinor: amount,
            currency: 'CNY',
            counterpartyBank: 'CMB',
          },
          day(d),
        );
      };

    it('flags one transfer of CNY 100,000 or more within 30 days', () => {
      expect(flag('large-transfer-out', transfer(9_999_999), day(55))).toBeUndefined();
      expect(flag('large-transfer-out', transfer(10_000_000), day(55))).toEqual({
        code: 'large-transfer-out',
        reason: '1 transfer(s) of at least 100000.00 to other banks (CMB) in 30 days',
        evidenceEventIds: ['C1-3'],
        since: day(50),
      });
      expect(flag('large-transfer-out', transfer(10_000_000), day(80))).toBeUndefined(); // exactly 30 days on
    });

    it('flags sending away half of the assets, however small', () => {
      const f = flag(
        'large-transfer-out',
        (b) => {
          account(b, 1_000_000);
          b.add(
            'MoneyMoved',
            {
              productId: 'A1',
              direction: 'out',
              kind: 'transfer',
              amountMinor: 1_000_000,
              currency: 'CNY',
              counterpartyBank: 'ABC',
            },
            day(50),
          );
        },
        day(51),
      );
      expect(f?.reason).toBe('50% of assets sent to other banks (ABC) in 30 days');
    });
  });

  describe('complaint unresolved past its SLA', () => {
    const raise = (b: StreamBuilder) =>
      b.add(
        'ComplaintRaised',
        { complaintId: 'K1', category: 'fees', severity: 'high', channel: 'branch' },
        day(1),
      );

    it('flags from the SLA deadline on (48 h for high severity)', () => {
      expect(flag('complaint-sla-breached', raise, ms(day(3), -MS))).toBeUndefined();
      expect(flag('complaint-sla-breached', raise, day(3))).toEqual({
        code: 'complaint-sla-breached',
        reason: 'unresolved past SLA: K1 (fees, high) open 2 days, SLA 48 h',
        evidenceEventIds: ['C1-1'],
        since: day(3),
      });
    });

    it('clears when resolved', () => {
      const f = flag(
        'complaint-sla-breached',
        (b) => {
          raise(b);
          b.add('ComplaintResolved', { complaintId: 'K1', resolution: 'ok' }, day(5));
        },
        day(6),
      );
      expect(f).toBeUndefined();
    });
  });

  describe('product closures', () => {
    const close = (d: number) => (b: StreamBuilder) => {
      account(b, 100);
      b.add(
        'ProductClosed',
        { productId: 'A1', productType: 'current', reason: 'moving bank' },
        day(d),
      );
    };
    it('flags a closure in the last 90 days, not one older', () => {
      expect(flag('product-closures', close(10), day(99))?.reason).toBe(
        '1 product(s) closed in 90 days: current (moving bank)',
      );
      expect(flag('product-closures', close(10), day(100))).toBeUndefined();
    });
  });

  describe('NPS detractor', () => {
    const nps = (score: number) => (b: StreamBuilder) =>
      b.add('SurveyAnswered', { kind: 'nps', score }, day(10));
    it('flags a latest NPS of 6 or less within 180 days', () => {
      expect(flag('nps-detractor', nps(6), day(20))?.reason).toBe('latest NPS 6 (detractor: ≤ 6)');
      expect(flag('nps-detractor', nps(7), day(20))).toBeUndefined();
      expect(flag('nps-detractor', nps(0), day(190))).toBeDefined();
      expect(flag('nps-detractor', nps(0), ms(day(190), MS))).toBeUndefined();
    });
  });

  describe('relationship manager changed', () => {
    const rm =
      (assets: number, previous: string | null = 'RM1') =>
      (b: StreamBuilder) => {
        account(b, assets);
        b.add(
          'RelationshipManagerAssigned',
          { managerId: 'RM2', previousManagerId: previous },
          day(10),
        );
      };
    it('flags an important or top customer whose manager changed in 90 days', () => {
      expect(flag('manager-changed', rm(50_000_000), day(20))).toEqual({
        code: 'manager-changed',
        reason: 'relationship manager changed RM1 → RM2 10 days ago (tier important)',
        evidenceEventIds: ['C1-3'],
        since: day(10),
      });
      expect(flag('manager-changed', rm(600_000_000), day(100))).toBeDefined();
      expect(flag('manager-changed', rm(600_000_000), ms(day(100), MS))).toBeUndefined();
    });
    it('ignores core customers and first assignments', () => {
      expect(flag('manager-changed', rm(49_999_999), day(20))).toBeUndefined();
      expect(flag('manager-changed', rm(600_000_000, null), day(20))).toBeUndefined();
    });
  });
});

describe('churn risk score', () => {
  const f = (code: ChurnCode): ChurnFlag => ({
    code,
    reason: '',
    evidenceEventIds: [],
    since: day(0),
  });

  it('is 0 with no flags, the weight with one, below 100 with all, and counts a code once', () => {
    expect(churnRiskScore([])).toBe(0);
    expect(churnRiskScore([f('inactivity')])).toBe(30);
    expect(churnRiskScore([f('inactivity'), f('inactivity')])).toBe(30);
    expect(churnRiskScore([f('inactivity'), f('balance-drain')])).toBe(62); // 1 − 0.7 × 0.55
    const all = churnRiskScore(CHURN_CODES.map(f));
    expect(all).toBeGreaterThan(90);
    expect(all).toBeLessThanOrEqual(100);
    expect(
      churnRiskScore([f('nps-detractor')], { ...DEFAULT_CHURN_CONFIG.weights, 'nps-detractor': 1 }),
    ).toBe(100);
  });

  it('never falls when a flag is added', () => {
    let flags: ChurnFlag[] = [];
    let last = 0;
    for (const code of CHURN_CODES) {
      flags = [...flags, f(code)];
      const score = churnRiskScore(flags);
      expect(score).toBeGreaterThanOrEqual(last);
      last = score;
    }
  });
});

describe('diffFlags', () => {
  const evaluated = (code: ChurnCode, reason = 'r'): ChurnFlag => ({
    code,
    reason,
    evidenceEventIds: ['e'],
    since: day(1),
  });
  const open = (code: ChurnCode, raisedAt = day(2)): OpenChurnFlag => ({
    ...evaluated(code),
    raisedAt,
  });

  it('raises new flags at now, clears those that no longer hold, keeps raisedAt of the rest', () => {
    const d = diffFlags(
      [open('inactivity'), open('nps-detractor')],
      [evaluated('nps-detractor', 'fresh'), evaluated('balance-drain')],
      day(9),
    );
    expect(d.raised).toEqual([{ ...evaluated('balance-drain'), raisedAt: day(9) }]);
    expect(d.cleared).toEqual([{ ...open('inactivity'), clearedAt: day(9) }]);
    expect(d.open).toEqual([
      { ...evaluated('nps-detractor', 'fresh'), raisedAt: day(2) },
      { ...evaluated('balance-drain'), raisedAt: day(9) },
    ]);
  });

  it('is empty when nothing changes', () => {
    expect(diffFlags([], [], day(1))).toEqual({ raised: [], cleared: [], open: [] });
    const d = diffFlags([open('inactivity')], [evaluated('inactivity')], day(3));
    expect(d.raised).toEqual([]);
    expect(d.cleared).toEqual([]);
  });

  it('drives a silent customer through raise and clear with the clock alone', () => {
    const { state } = customer((b) => {
      for (const d of [1, 2, 3])
        b.add(
          'BranchVisited',
          { branchCode: 'B', service: 's', waitMinutes: 0, tellerId: 't' },
          day(d),
        );
    });
    const t1 = diffFlags([], evaluateChurn(state, day(30)), day(30));
    expect(t1.raised).toEqual([]);
    const t2 = diffFlags(t1.open, evaluateChurn(state, day(63)), day(63));
    expect(t2.raised.map((x) => [x.code, x.raisedAt])).toEqual([['inactivity', day(63)]]);
    expect(t2.raised[0]?.since).toBe(day(63));
  });
});
