import { parseDurationMs, parseSizeBytes } from './units';

describe('units', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1500', 1500],
  ])('duration %s → %d ms', (raw, ms) => {
    expect(parseDurationMs(raw)).toBe(ms);
  });

  it.each(['', 'h', '1.5h', '-1s', '1 week', '1y'])('rejects duration %p', (raw) => {
    expect(parseDurationMs(raw)).toBeNaN();
  });

  it('parses sizes', () => {
    expect(parseSizeBytes('1mb')).toBe(1_048_576);
    expect(parseSizeBytes('512KB')).toBe(524_288);
    expect(parseSizeBytes('2048')).toBe(2048);
    expect(parseSizeBytes('1gb')).toBeNaN();
  });
});
