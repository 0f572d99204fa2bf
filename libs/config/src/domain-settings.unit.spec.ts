import { DEFAULT_CHURN_CONFIG, DEFAULT_DOMAIN_CONFIG, DEFAULT_TIER_THRESHOLDS } from '@c360/customer-domain';
import { ConfigError } from './config-error';
import { loadConfig, loadDomainThresholds } from './load-config';

function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('domain thresholds (TIER_*, CHURN_*)', () => {
  it('default to the domain defaults, in AppConfig and alone', () => {
    const alone = loadDomainThresholds({});
    expect(alone.domain).toEqual(DEFAULT_DOMAIN_CONFIG);
    expect(alone.churn).toEqual(DEFAULT_CHURN_CONFIG);
    const app = loadConfig({}, { cwd: '/srv/c360' });
    expect(app.domain).toEqual(DEFAULT_DOMAIN_CONFIG);
    expect(app.churn).toEqual(DEFAULT_CHURN_CONFIG);
  });

  it('reads every threshold from its variable (empty means default)', () => {
    const env = {
      TIER_TOP_MIN_MINOR: '900',
      TIER_IMPORTANT_MIN_MINOR: '90',
      TIER_CORE_MIN_MINOR: ' 9 ',
      CHURN_INACTIVITY_DAYS: '30',
      CHURN_BALANCE_DRAIN_PCT: '37.5',
      CHURN_BALANCE_DRAIN_WINDOW_DAYS: '45',
      CHURN_SALARY_MISSED_FACTOR: '2.5',
      CHURN_LARGE_TRANSFER_MIN_MINOR: '123456',
      CHURN_COMPLAINT_SLA_HIGH_HOURS: '24',
      CHURN_COMPLAINT_SLA_MEDIUM_HOURS: '',
      CHURN_COMPLAINT_SLA_LOW_HOURS: '300',
      CHURN_NPS_DETRACTOR_MAX: '4',
    };
    const t = loadDomainThresholds(env);
    expect(t.domain.tiers).toEqual({ top: 900, important: 90, core: 9 });
    expect(t.domain.valuation).toEqual(DEFAULT_DOMAIN_CONFIG.valuation);
    expect(t.churn).toEqual({
      ...DEFAULT_CHURN_CONFIG,
      inactivity: { ...DEFAULT_CHURN_CONFIG.inactivity, days: 30 },
      balanceDrain: { ...DEFAULT_CHURN_CONFIG.balanceDrain, dropPct: 37.5, windowDays: 45 },
      salaryStopped: { ...DEFAULT_CHURN_CONFIG.salaryStopped, missedIntervalFactor: 2.5 },
      largeTransferOut: { ...DEFAULT_CHURN_CONFIG.largeTransferOut, minAmountMinor: 123456 },
      complaintSlaHours: { high: 24, medium: DEFAULT_CHURN_CONFIG.complaintSlaHours.medium, low: 300 },
      npsDetractor: { ...DEFAULT_CHURN_CONFIG.npsDetractor, maxScore: 4 },
    });
    const app = loadConfig(env, { cwd: '/srv/c360' });
    expect(app.domain).toEqual(t.domain);
    expect(app.churn).toEqual(t.churn);
  });

  it.each([
    ['CHURN_INACTIVITY_DAYS', 'soon', 'an integer 1-3650'],
    ['CHURN_INACTIVITY_DAYS', '0', 'an integer 1-3650'],
    ['TIER_CORE_MIN_MINOR', '1.5', 'an integer 0-'],
    ['TIER_CORE_MIN_MINOR', '-1', 'an integer 0-'],
    ['CHURN_BALANCE_DRAIN_PCT', '101', 'a number 0-100'],
    ['CHURN_BALANCE_DRAIN_PCT', '50%', 'a number 0-100'],
    ['CHURN_SALARY_MISSED_FACTOR', '0.5', 'a number 1-10'],
    ['CHURN_NPS_DETRACTOR_MAX', '11', 'an integer 0-10'],
  ])('refuses %s=%s, naming the setting and the rule', (setting, value, rule) => {
    for (const e of [refusal(() => loadDomainThresholds({ [setting]: value })), refusal(() => loadConfig({ [setting]: value }, { cwd: '/srv/c360' }))]) {
      expect(e.settings).toEqual([setting]);
      expect(e.problems).toHaveLength(1);
      expect(e.problems[0]).toContain(`${setting} must be ${rule}`);
      expect(e.problems[0]).toContain(JSON.stringify(value));
    }
  });

  it('refuses tiers out of order, naming them', () => {
    const e = refusal(() => loadDomainThresholds({ TIER_TOP_MIN_MINOR: '1' }));
    expect(e.settings).toEqual(['TIER_*_MIN_MINOR']);
    expect(e.message).toContain('TIER_*_MIN_MINOR must be ordered top ≥ important ≥ core');
    expect(e.message).toContain(`TIER_IMPORTANT_MIN_MINOR=${DEFAULT_TIER_THRESHOLDS.important}`);
    expect(() => loadConfig({ TIER_TOP_MIN_MINOR: '1' }, { cwd: '/srv/c360' })).toThrow('TIER_*_MIN_MINOR must be ordered');
  });

  it('reports a bad threshold together with other bad settings', () => {
    const e = refusal(() => loadConfig({ PORT: 'x', CHURN_NPS_DETRACTOR_MAX: 'x' }, { cwd: '/srv/c360' }));
    expect(e.settings).toEqual(['PORT', 'CHURN_NPS_DETRACTOR_MAX']);
    expect(e.problems).toHaveLength(2);
  });
});
