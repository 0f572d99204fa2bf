import { loadConfig } from '@c360/config';
import { UsageError } from '../usage-error';
import { parseTokenOptions } from './token-options';

const config = loadConfig({ JWT_TTL: '1h', JWT_MAX_TTL: '1d' }, { cwd: '/tmp' });

describe('c360 token options', () => {
  it('parses scopes, ttl and subject', () => {
    expect(parseTokenOptions({ scopes: 'customers:read, channel:branch:write,customers:read', ttl: '15m', subject: 'svc-rm' }, config)).toEqual({
      scopes: ['customers:read', 'channel:branch:write'],
      ttlSeconds: 900,
      subject: 'svc-rm',
    });
    expect(parseTokenOptions({ scopes: 'ops:read' }, config)).toEqual({ scopes: ['ops:read'], ttlSeconds: 3600, subject: 'local-cli' });
  });

  it.each([
    [{ scopes: '' }, '--scopes is required'],
    [{ scopes: 'customers:write' }, 'unknown scope "customers:write". Known scopes: events:write'],
    [{ scopes: 'ops:read', ttl: 'soon' }, '--ttl must be a duration like 15m, 1h or 7d (got "soon")'],
    [{ scopes: 'ops:read', ttl: '2d' }, 'longer than JWT_MAX_TTL'],
    [{ scopes: 'ops:read', subject: 'two words' }, '--subject must be'],
  ])('refuses %p with the fix', (raw, message) => {
    expect(() => parseTokenOptions(raw, config)).toThrow(UsageError);
    expect(() => parseTokenOptions(raw, config)).toThrow(message);
  });
});
