import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { loadConfig, type AppConfig } from '@c360/config';
import { ensureLocalSigningKey } from './local-keys';
import { allScopes, isKnownScope } from './scopes';
import { TokenIssuer, TokenRequestError } from './token-issuer';

describe('TokenIssuer', () => {
  let dir: string;
  let config: AppConfig;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'c360-issuer-'));
    config = loadConfig({ C360_DATA_DIR: dir, JWT_MAX_TTL: '1d' });
    await ensureLocalSigningKey(config);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('mints a short-lived access token with issuer, audience, scope and kid', async () => {
    const token = await TokenIssuer.forConfig(config).mintToken({ subject: 'svc-risk', scopes: ['churn:read', 'churn:read', 'ops:read'], ttlSeconds: 600 });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'c360-local', aud: 'c360', sub: 'svc-risk', scope: 'churn:read ops:read' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(decodeProtectedHeader(token).kid).toMatch(/^local-/);
  });

  it('refuses unknown scopes, bad subjects and lifetimes beyond JWT_MAX_TTL', async () => {
    const issuer = TokenIssuer.forConfig(config);
    await expect(issuer.mintToken({ subject: 'svc', scopes: ['customers:write'] })).rejects.toThrow('Unknown scope "customers:write".');
    await expect(issuer.mintToken({ subject: 'svc', scopes: [], ttlSeconds: 2 * 86_400 })).rejects.toThrow(TokenRequestError);
    await expect(issuer.mintToken({ subject: 'bad subject\r\n', scopes: [] })).rejects.toThrow(/Subject must be/);
  });

  it('says how to fix a missing signing key', async () => {
    const other = loadConfig({ C360_DATA_DIR: dir, JWT_SIGNING_KEY_FILE: path.join(dir, 'nope.json') });
    await expect(TokenIssuer.forConfig(other).mintToken({ subject: 'svc', scopes: [] })).rejects.toThrow(/Set JWT_SIGNING_KEY_FILE/);
  });
});

describe('scopes', () => {
  it('knows the static scopes and well-formed channel scopes', () => {
    expect(allScopes()).toEqual(expect.arrayContaining(['customers:read-pii', 'channel:call-centre:write', 'ops:replay']));
    expect(isKnownScope('channel:branch:write')).toBe(true);
    expect(isKnownScope('channel:Branch:write')).toBe(false);
    expect(isKnownScope('channel::write')).toBe(false);
    expect(isKnownScope('admin')).toBe(false);
  });
});
