import {
  appendSample,
  byRisk,
  formatCount,
  formatDuration,
  formatMinor,
  formatTime,
  percent,
} from '../../apps/console/src/lib/format';

describe('the console display helpers', () => {
  it('formats minor units with grouping, two decimals and the sign', () => {
    expect(formatMinor(8_450_000, 'CNY')).toBe('84,500.00 CNY');
    expect(formatMinor(5)).toBe('0.05');
    expect(formatMinor(-123_456_789)).toBe('-1,234,567.89');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('formats durations and times for operators', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7500)).toBe('2 h 05 min');
    expect(formatTime('2026-11-02T09:30:00Z')).toBe('2026-11-02 09:30');
    expect(formatTime(null)).toBe('—');
  });

  it('reports progress as a whole percentage, never 100 before the end', () => {
    expect(percent(0, 0)).toBe(0);
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
    expect(percent(1200, 1000)).toBe(100);
  });

  it('orders churn flags by risk, then newest first, without mutating the page', () => {
    const page = [
      { id: 'a', riskScore: 15, raisedAt: '2026-11-01T00:00:00Z' },
      { id: 'b', riskScore: null, raisedAt: '2026-11-03T00:00:00Z' },
      { id: 'c', riskScore: 40, raisedAt: '2026-10-01T00:00:00Z' },
      { id: 'd', riskScore: 15, raisedAt: '2026-11-02T00:00:00Z' },
    ];
    expect(byRisk(page).map((f) => f.id)).toEqual(['c', 'd', 'a', 'b']);
    expect(page.map((f) => f.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a bounded lag series', () => {
    let s: number[] = [];
    for (let i = 0; i < 10; i += 1) s = appendSample(s, i, 4);
    expect(s).toEqual([6, 7, 8, 9]);
  });
});
