import { parseRebuildBody } from '../../../projector/src/ops/http/ops.controller';
import { formatStatusTable, parseRebuildFlags } from './projections.command';
import { parseDeep } from './verify.command';
import { UsageError } from '../usage-error';

const flags = { dryRun: false, diff: false, cancel: false, json: false };

describe('operator command flags', () => {
  it('parses customers, refuses empty entries and --cancel with other options, each with the fix', () => {
    expect(parseRebuildFlags('customer-360', { ...flags, customers: 'C1, C2,C1' })).toEqual(['C1', 'C2']);
    expect(() => parseRebuildFlags('customer-360', { ...flags, customers: 'C1,,C2' })).toThrow(/--customers C000123,C000456/);
    expect(() => parseRebuildFlags('customer-360', { ...flags, cancel: true, dryRun: true })).toThrow(/npx c360 projections rebuild customer-360 --cancel/);
    expect(() => parseRebuildFlags('Customer 360', flags)).toThrow(UsageError);
  });

  it('parses --deep', () => {
    expect(parseDeep(undefined)).toBe(200);
    expect(parseDeep('all')).toBe('all');
    expect(parseDeep('0')).toBe(0);
    expect(() => parseDeep('-1')).toThrow(/--deep must be "all" or a number/);
  });

  it('checks the HTTP rebuild body', () => {
    expect(parseRebuildBody(undefined)).toEqual({ customers: [], dryRun: false });
    expect(parseRebuildBody({ customers: ['A', 'A'], dryRun: true })).toEqual({ customers: ['A'], dryRun: true });
    expect(() => parseRebuildBody({ customer: ['A'] })).toThrow(/unknown fields: customer/);
    expect(() => parseRebuildBody({ dryRun: 'yes' })).toThrow(/dryRun must be true or false/);
    expect(() => parseRebuildBody([1])).toThrow(/JSON object/);
  });

  it('prints one aligned row per projection', () => {
    const table = formatStatusTable([
      { name: 'customer-360', state: 'live', workers: 2, partitions: 64, position: '42', head: '42', lag: { events: 0, capped: false, seconds: 0 }, ratePerSecond: 12.34, lastError: null, rebuild: null },
    ]);
    const [header, row] = table.split('\n');
    expect(header).toMatch(/^PROJECTION\s+STATE\s+WORKERS\s+POSITION\s+LAG EVENTS\s+LAG S\s+RATE\/S\s+REBUILD\s+LAST ERROR$/);
    expect(row).toMatch(/^customer-360\s+live\s+2\s+42\s+0\s+0\.0\s+12\.3\s+-\s+-$/);
  });
});
