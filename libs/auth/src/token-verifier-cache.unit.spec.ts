import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { importJWK, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { loadConfig, type AppConfig } from '@c360/config';
import { AuthError, AuthErrorCode } from './auth-error';
import { JwksFileKeyStore } from './jwks-file-key-store';
import { ensureLocalSigningKey, readJwks, rotateLocalSigningKey } from './local-keys';
import { TokenIssuer } from './token-issuer';
import { TokenVerifier } from './token-verifier';

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('expected the token to be refused');
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Only Date is faked, so the key store's timers and file I/O behave normally. */
const fakeDateOnly = (): void => {
  jest.useFakeTimers({
    doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'hrtime', 'performance'],
    now: Date.now(),
  });
};

describe('TokenVerifier verified-token cache', () => {
  let dir: string;
  let config: AppConfig;
  let store: JwksFileKeyStore;
  let issuer: TokenIssuer;
  let keyLookups: number;
  let countingGetKey: JWTVerifyGetKey;

  const verifierWith = (extra: Partial<ConstructorParameters<typeof TokenVerifier>[0]> = {}): TokenVerifier =>
    new TokenVerifier({
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      clockToleranceSeconds: 30,
      getKey: countingGetKey,
      keySetVersion: store.keySetVersion,
      ...extra,
    });

  async function sign(claims: { exp: number; nbf?: number }): Promise<string> {
    const jwk = JSON.parse(readFileSync(config.jwt.signingKeyFile, 'utf8')) as JWK;
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ scope: 'customers:read' })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '' })
      .setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience)
      .setSubject('svc-cache')
      .setIssuedAt(now)
      .setExpirationTime(claims.exp);
    if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
    return jwt.sign(await importJWK(jwk, 'ES256'));
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'c360-auth-cache-'));
    config = loadConfig({ C360_DATA_DIR: dir, JWT_KEYS_RELOAD_INTERVAL: '1s' });
    await ensureLocalSigningKey(config);
    store = new JwksFileKeyStore(config.jwt.jwksFile, config.jwt.keysReloadIntervalMs);
    await store.start();
    issuer = TokenIssuer.forConfig(config);
    keyLookups = 0;
    countingGetKey = (header, token) => {
      keyLookups++;
      return store.getKey(header, token);
    };
  });
  afterEach(() => {
    jest.useRealTimers();
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hit returns the same claims without verifying again, as a fresh Principal each time', async () => {
    const verifier = verifierWith();
    const token = await issuer.mintToken({ subject: 'svc-a', scopes: ['customers:read', 'ops:read'], ttlSeconds: 300 });
    const first = await verifier.verifyToken(token);
    expect(keyLookups).toBe(1);
    (first.scopes as Set<string>).add('customers:erase'); // a caller mutating its Principal must not poison the cache
    const second = await verifier.verifyAuthorization(`Bearer ${token}`);
    expect(keyLookups).toBe(1);
    expect(second).not.toBe(first);
    expect({ ...second, scopes: [...second.scopes].sort() }).toEqual({
      subject: 'svc-a',
      scopes: ['customers:read', 'ops:read'],
      tokenId: first.tokenId,
      expiresAt: first.expiresAt,
    });
    expect(verifier.cachedTokens()).toBe(1);
  });

  it('caches nothing when the key source cannot say when its keys change', async () => {
    const verifier = new TokenVerifier({ issuer: config.jwt.issuer, audience: config.jwt.audience, clockToleranceSeconds: 30, getKey: countingGetKey });
    const token = await issuer.mintToken({ subject: 'svc', scopes: [] });
    await verifier.verifyToken(token);
    await verifier.verifyToken(token);
    expect(keyLookups).toBe(2);
    expect(verifier.cachedTokens()).toBe(0);
  });

  it('a cached token is refused as expired once its exp passes (tolerance included), and re-verified after maxAge', async () => {
    fakeDateOnly();
    const verifier = verifierWith({ cache: { maxAgeMs: 10_000 } });
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ exp: now + 120 });
    await verifier.verifyToken(token);
    await verifier.verifyToken(token);
    expect(keyLookups).toBe(1);

    jest.setSystemTime(Date.now() + 11_000); // past maxAge: verified afresh, then cached again
    await verifier.verifyToken(token);
    expect(keyLookups).toBe(2);

    jest.setSystemTime((now + 120 + 31) * 1000); // past exp + 30 s tolerance
    expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenExpired);
    expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenExpired);
  });

  it('nbf is enforced at use time, even for a cached token (clock stepped back)', async () => {
    fakeDateOnly();
    const verifier = verifierWith();
    const start = Date.now();
    const now = Math.floor(start / 1000);
    const token = await sign({ nbf: now + 100, exp: now + 600 });
    expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenClaimsInvalid);
    expect(verifier.cachedTokens()).toBe(0);

    jest.setSystemTime(start + 200_000);
    await expect(verifier.verifyToken(token)).resolves.toMatchObject({ subject: 'svc-cache' });
    expect(verifier.cachedTokens()).toBe(1);

    jest.setSystemTime(start);
    const e = await refusal(verifier.verifyToken(token));
    expect(e.code).toBe(AuthErrorCode.TokenClaimsInvalid);
    expect(e.message).toContain('"nbf"');
  });

  it('after a rotation withdraws a key, a token it signed is refused at once, though it was cached', async () => {
    const verifier = verifierWith();
    const before = await issuer.mintToken({ subject: 'svc', scopes: [] });
    const oldKid = (JSON.parse(readFileSync(config.jwt.signingKeyFile, 'utf8')) as JWK).kid;
    await verifier.verifyToken(before);
    await verifier.verifyToken(before);
    expect(keyLookups).toBe(1);

    await rotateLocalSigningKey(config);
    const after = await issuer.mintToken({ subject: 'svc', scopes: [] });
    await until(() => store.kids().length === 2);
    await expect(verifier.verifyToken(after)).resolves.toMatchObject({ subject: 'svc' });
    await expect(verifier.verifyToken(before)).resolves.toMatchObject({ subject: 'svc' });

    const jwks = await readJwks(config.jwt.jwksFile);
    writeFileSync(config.jwt.jwksFile, JSON.stringify({ keys: (jwks?.keys ?? []).filter((k) => k.kid !== oldKid) }));
    await until(() => !store.kids().includes(oldKid ?? ''));
    // the very first use after the store reloaded: no grace from the cache
    expect((await refusal(verifier.verifyToken(before))).code).toBe(AuthErrorCode.TokenUnknownKey);
    await expect(verifier.verifyToken(after)).resolves.toMatchObject({ subject: 'svc' });
  });

  it('a tampered token is never served from the cache, and a failed token is never cached', async () => {
    const verifier = verifierWith();
    const good = await issuer.mintToken({ subject: 'svc', scopes: ['customers:read'] });
    await verifier.verifyToken(good);
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, scope: 'customers:read customers:read-pii' })).toString('base64url');
    const flipped = s.slice(0, -2) + (s.endsWith('AA') ? 'BB' : 'AA');
    for (const tampered of [`${h}.${forgedPayload}.${s}`, `${h}.${p}.${flipped}`, `${h}.${p}.${s}A`]) {
      for (let i = 0; i < 2; i++) {
        const lookups = keyLookups;
        const e = await refusal(verifier.verifyToken(tampered));
        expect([AuthErrorCode.TokenSignatureInvalid, AuthErrorCode.TokenMalformed]).toContain(e.code);
        expect(keyLookups).toBeGreaterThan(lookups);
      }
    }
    expect(verifier.cachedTokens()).toBe(1);
    await expect(verifier.verifyToken(good)).resolves.toMatchObject({ subject: 'svc' });
  });

  it('is bounded: the least recently used token is evicted first', async () => {
    const verifier = verifierWith({ cache: { maxEntries: 2 } });
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => issuer.mintToken({ subject: `svc-${i}`, scopes: [] })));
    await verifier.verifyToken(a!);
    await verifier.verifyToken(b!);
    await verifier.verifyToken(a!); // a is now the most recent
    await verifier.verifyToken(c!); // evicts b
    expect(verifier.cachedTokens()).toBe(2);
    const lookups = keyLookups;
    await verifier.verifyToken(a!);
    await verifier.verifyToken(c!);
    expect(keyLookups).toBe(lookups);
    await verifier.verifyToken(b!);
    expect(keyLookups).toBe(lookups + 1);
  });
});
