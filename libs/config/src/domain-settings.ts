import { IsInt, IsNumber, Max, Min } from 'class-validator';
import {
  DEFAULT_CHURN_CONFIG,
  DEFAULT_TIER_THRESHOLDS,
  resolveChurnConfig,
  resolveDomainConfig,
} from '@c360/customer-domain';
import type { DomainThresholds } from './app-config';
import { Setting } from './env-settings';

/** Largest money threshold accepted, in reporting minor units (CNY 10 trillion). */
const MONEY_MAX = 1e15;
const d = DEFAULT_CHURN_CONFIG;

/**
 * The domain rules' thresholds (value tiers, churn rules) as validated settings. Every process
 * that computes tiers or churn flags (projector, query API, platform) reads them from here, so
 * they cannot disagree. Defaults are the domain's own (@c360/customer-domain).
 */
export class DomainSettings {
  @Setting({ env: 'TIER_TOP_MIN_MINOR', kind: 'int', rule: `an integer 0-${MONEY_MAX}`, fix: `Set TIER_TOP_MIN_MINOR to the least relationship value (reporting minor units) of the top tier (default ${DEFAULT_TIER_THRESHOLDS.top}).` })
  @IsInt() @Min(0) @Max(MONEY_MAX)
  tierTopMinMinor: number = DEFAULT_TIER_THRESHOLDS.top;

  @Setting({ env: 'TIER_IMPORTANT_MIN_MINOR', kind: 'int', rule: `an integer 0-${MONEY_MAX}`, fix: `Set TIER_IMPORTANT_MIN_MINOR to the least relationship value of the important tier (default ${DEFAULT_TIER_THRESHOLDS.important}).` })
  @IsInt() @Min(0) @Max(MONEY_MAX)
  tierImportantMinMinor: number = DEFAULT_TIER_THRESHOLDS.important;

  @Setting({ env: 'TIER_CORE_MIN_MINOR', kind: 'int', rule: `an integer 0-${MONEY_MAX}`, fix: `Set TIER_CORE_MIN_MINOR to the least relationship value of the core tier; below it is mass (default ${DEFAULT_TIER_THRESHOLDS.core}).` })
  @IsInt() @Min(0) @Max(MONEY_MAX)
  tierCoreMinMinor: number = DEFAULT_TIER_THRESHOLDS.core;

  @Setting({ env: 'CHURN_INACTIVITY_DAYS', kind: 'int', rule: 'an integer 1-3650', fix: `Set CHURN_INACTIVITY_DAYS to the days without an interaction on usual channels that flag inactivity (default ${d.inactivity.days}).` })
  @IsInt() @Min(1) @Max(3650)
  churnInactivityDays: number = d.inactivity.days;

  @Setting({ env: 'CHURN_BALANCE_DRAIN_PCT', kind: 'number', rule: 'a number 0-100', fix: `Set CHURN_BALANCE_DRAIN_PCT to the fall in assets (percent) over the window that flags a drain (default ${d.balanceDrain.dropPct}).` })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100)
  churnBalanceDrainPct: number = d.balanceDrain.dropPct;

  @Setting({ env: 'CHURN_BALANCE_DRAIN_WINDOW_DAYS', kind: 'int', rule: 'an integer 1-90', fix: `Set CHURN_BALANCE_DRAIN_WINDOW_DAYS to the balance-drain window in days (default ${d.balanceDrain.windowDays}).` })
  @IsInt() @Min(1) @Max(90)
  churnBalanceDrainWindowDays: number = d.balanceDrain.windowDays;

  @Setting({ env: 'CHURN_SALARY_MISSED_FACTOR', kind: 'number', rule: 'a number 1-10', fix: `Set CHURN_SALARY_MISSED_FACTOR to how many typical salary intervals may pass before a stop is flagged (default ${d.salaryStopped.missedIntervalFactor}).` })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(1) @Max(10)
  churnSalaryMissedFactor: number = d.salaryStopped.missedIntervalFactor;

  @Setting({ env: 'CHURN_LARGE_TRANSFER_MIN_MINOR', kind: 'int', rule: `an integer 0-${MONEY_MAX}`, fix: `Set CHURN_LARGE_TRANSFER_MIN_MINOR to the smallest transfer out (reporting minor units) that counts as large (default ${d.largeTransferOut.minAmountMinor}).` })
  @IsInt() @Min(0) @Max(MONEY_MAX)
  churnLargeTransferMinMinor: number = d.largeTransferOut.minAmountMinor;

  @Setting({ env: 'CHURN_COMPLAINT_SLA_HIGH_HOURS', kind: 'int', rule: 'an integer 1-10000', fix: `Set CHURN_COMPLAINT_SLA_HIGH_HOURS to the SLA of high-severity complaints in hours (default ${d.complaintSlaHours.high}).` })
  @IsInt() @Min(1) @Max(10_000)
  churnComplaintSlaHighHours: number = d.complaintSlaHours.high;

  @Setting({ env: 'CHURN_COMPLAINT_SLA_MEDIUM_HOURS', kind: 'int', rule: 'an integer 1-10000', fix: `Set CHURN_COMPLAINT_SLA_MEDIUM_HOURS to the SLA of medium-severity complaints in hours (default ${d.complaintSlaHours.medium}).` })
  @IsInt() @Min(1) @Max(10_000)
  churnComplaintSlaMediumHours: number = d.complaintSlaHours.medium;

  @Setting({ env: 'CHURN_COMPLAINT_SLA_LOW_HOURS', kind: 'int', rule: 'an integer 1-10000', fix: `Set CHURN_COMPLAINT_SLA_LOW_HOURS to the SLA of low-severity complaints in hours (default ${d.complaintSlaHours.low}).` })
  @IsInt() @Min(1) @Max(10_000)
  churnComplaintSlaLowHours: number = d.complaintSlaHours.low;

  @Setting({ env: 'CHURN_NPS_DETRACTOR_MAX', kind: 'int', rule: 'an integer 0-10', fix: `Set CHURN_NPS_DETRACTOR_MAX to the highest NPS answer that counts as a detractor (default ${d.npsDetractor.maxScore}).` })
  @IsInt() @Min(0) @Max(10)
  churnNpsDetractorMax: number = d.npsDetractor.maxScore;
}

/** Checks across settings; each problem names the settings to fix. */
export function domainCrossChecks(s: DomainSettings): string[] {
  const tiers = [s.tierTopMinMinor, s.tierImportantMinMinor, s.tierCoreMinMinor];
  if (tiers.every(Number.isFinite) && !(s.tierTopMinMinor >= s.tierImportantMinMinor && s.tierImportantMinMinor >= s.tierCoreMinMinor)) {
    return [
      `TIER_*_MIN_MINOR must be ordered top ≥ important ≥ core (got TIER_TOP_MIN_MINOR=${s.tierTopMinMinor}, TIER_IMPORTANT_MIN_MINOR=${s.tierImportantMinMinor}, TIER_CORE_MIN_MINOR=${s.tierCoreMinMinor}). Raise the higher tiers or lower the lower ones.`,
    ];
  }
  return [];
}

/** The typed domain and churn configs of validated settings. */
export function toDomainThresholds(s: DomainSettings): DomainThresholds {
  return {
    domain: resolveDomainConfig({ tiers: { top: s.tierTopMinMinor, important: s.tierImportantMinMinor, core: s.tierCoreMinMinor } }),
    churn: resolveChurnConfig({
      inactivity: { days: s.churnInactivityDays },
      balanceDrain: { dropPct: s.churnBalanceDrainPct, windowDays: s.churnBalanceDrainWindowDays },
      salaryStopped: { missedIntervalFactor: s.churnSalaryMissedFactor },
      largeTransferOut: { minAmountMinor: s.churnLargeTransferMinMinor },
      complaintSlaHours: { high: s.churnComplaintSlaHighHours, medium: s.churnComplaintSlaMediumHours, low: s.churnComplaintSlaLowHours },
      npsDetractor: { maxScore: s.churnNpsDetractorMax },
    }),
  };
}
