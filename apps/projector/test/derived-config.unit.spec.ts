import { DEFAULT_CHURN_CONFIG, DEFAULT_TIER_THRESHOLDS } from '@c360/customer-domain';
import { parseDerivedConfig } from '../src/derived/derived-config';

describe('parseDerivedConfig', () => {
  it('defaults to the domain defaults and the c360.derived.v1 topic', () => {
    const c = parseDerivedConfig({});
    expect(c).toMatchObject({ topic: 'c360.derived.v1', sweepIntervalMs: 60_000, pageSize: 200 });
    expect(c.domain.tiers).toEqual(DEFAULT_TIER_THRESHOLDS);
    expect(c.churn).toEqual(DEFAULT_CHURN_CONFIG);
  });
  it('takes thresholds from the environment and names a bad setting', () => {
    const c = parseDerivedConfig({ TIER_CORE_MIN_MINOR: '100', CHURN_INACTIVITY_DAYS: '30', CHURN_COMPLAINT_SLA_HIGH_HOURS: '24', DERIVED_TOPIC: 'bank.derived' });
    expect(c.domain.tiers.core).toBe(100);
    expect(c.churn.inactivity.days).toBe(30);
    expect(c.churn.complaintSlaHours).toEqual({ ...DEFAULT_CHURN_CONFIG.complaintSlaHours, high: 24 });
    expect(c.topic).toBe('bank.derived');
    expect(() => parseDerivedConfig({ CHURN_INACTIVITY_DAYS: 'soon' })).toThrow('CHURN_INACTIVITY_DAYS');
    expect(() => parseDerivedConfig({ TIER_TOP_MIN_MINOR: '1' })).toThrow('TIER_*_MIN_MINOR');
  });
});
