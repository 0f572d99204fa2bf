import { UsageError } from '../usage-error';
import { parseDemoOptions } from './demo-options';

const defaults = { url: 'http://127.0.0.1:3000', now: new Date('2026-11-28T10:17:00Z') };

describe('c360 demo options', () => {
  it('has defaults for everything', () => {
    expect(parseDemoOptions({}, defaults)).toEqual({
      customers: 10_000,
      url: 'http://127.0.0.1:3000',
      token: null,
      ratePerSecond: undefined,
      seed: 1,
      days: 180,
      concurrency: 4,
      churnShare: 0.06,
      now: defaults.now,
    });
  });

  it('parses every flag', () => {
    expect(
      parseDemoOptions(
        { customers: '100_000', url: 'http://localhost:4000/', token: 'a.b.c', rate: '250', seed: '42', days: '120', concurrency: '8', churnShare: '0.1', now: '2026-11-01T00:00:00Z' },
        defaults,
      ),
    ).toEqual({
      customers: 100_000,
      url: 'http://localhost:4000',
      token: 'a.b.c',
      ratePerSecond: 250,
      seed: 42,
      days: 120,
      concurrency: 8,
      churnShare: 0.1,
      now: new Date('2026-11-01T00:00:00Z'),
    });
  });

  it.each([
    [{ customers: 'lots' }, '--customers must be a whole number from 1 to 1,000,000 (got "lots"), e.g. --customers 10000.'],
    [{ customers: '0' }, '--customers must be a whole number from 1'],
    [{ customers: '2000000' }, '--customers must be a whole number from 1 to 1,000,000'],
    [{ rate: '-5' }, '--rate must be a positive number of events per second (got "-5"), e.g. --rate 500.'],
    [{ rate: '0' }, '--rate must be a positive number'],
    [{ seed: '1.5' }, '--seed must be a whole number'],
    [{ days: '30' }, '--days must be a whole number from 100 to 730'],
    [{ concurrency: '100' }, '--concurrency must be a whole number from 1 to 32'],
    [{ churnShare: '0.9' }, '--churn-share must be a fraction from 0 to 0.5'],
    [{ url: 'localhost:3000' }, '--url must start with http:// or https://'],
    [{ url: 'not a url' }, "--url must be the platform's base URL, e.g. --url http://127.0.0.1:3000"],
    [{ token: 'not-a-jwt' }, '--token must be a bearer token'],
    [{ now: 'yesterday' }, '--now must be an ISO date-time'],
    [{ now: '2030-01-01T00:00:00Z' }, '--now must not be in the future'],
  ])('refuses %p with the fix', (raw, message) => {
    expect(() => parseDemoOptions(raw, defaults)).toThrow(UsageError);
    expect(() => parseDemoOptions(raw, defaults)).toThrow(message);
  });
});
