import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { loadConfig, type AppConfig } from '@c360/config';
import { AuthError, AuthErrorCode } from './auth-error';
import { JwksFileKeyStore } from './jwks-file-key-store';
import { readJwks, rotateLocalSigningKey, ensureLocalSigningKey } from './local-keys';
import { TokenIssuer } from './token-issuer';
import { TokenVerifier } from './token-verifier';

/** Polls until the check passes (key reloads are asynchronous); never a fixed sleep. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('expected the token to be refused');
}

describe('TokenVerifier', () => {
  let dir: string;
  let config: AppConfig;
  let store: JwksFileKeyStore;
  let verifier: TokenVerifier;
  let issuer: TokenIssuer;

  const privateJwk = (): JWK => JSON.parse(readFileSync(config.jwt.signingKeyFile, 'utf8')) as JWK;
  /** Signs arbitrary claims with the real local key (to forge expiry, issuer, audience). */
  async function signWithLocalKey(claims: Record<string, unknown>, overrides: { iss?: string; aud?: string; exp?: number } = {}): Promise<string> {
    const jwk = privateJwk();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '' })
      .setIssuer(overrides.iss ?? config.jwt.issuer)
      .setAudience(overrides.aud ?? config.jwt.audience)
      .setSubject('svc-test')
      .setIssuedAt(now - 7200)
      .setExpirationTime(overrides.exp ?? now + 600)
      .sign(await importJWK(jwk, 'ES256'));
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'c360-auth-'));
    config = loadConfig({ C360_DATA_DIR: dir, JWT_KEYS_RELOAD_INTERVAL: '1s' });
    await ensureLocalSigningKey(config);
    store = new JwksFileKeyStore(config.jwt.jwksFile, config.jwt.keysReloadIntervalMs);
    await store.start();
    verifier = new TokenVerifier({ issuer: config.jwt.issuer, audience: config.jwt.audience, clockToleranceSeconds: 30, getKey: store.getKey });
    issuer = TokenIssuer.forConfig(config);
  });
  afterEach(() => {
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a token it minted and returns the caller with its scopes', async () => {
    const token = await issuer.mintToken({ subject: 'svc-marketing', scopes: ['customers:read', 'channel:branch:write'], ttlSeconds: 300 });
    const principal = await verifier.verifyAuthorization(`Bearer ${token}`);
    expect(principal.subject).toBe('svc-marketing');
    expect([...principal.scopes].sort()).toEqual(['channel:branch:write', 'customers:read']);
    expect(principal.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(principal.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a request without a token', async () => {
    expect((await refusal(verifier.verifyAuthorization(undefined))).code).toBe(AuthErrorCode.TokenMissing);
    expect((await refusal(verifier.verifyAuthorization('   '))).code).toBe(AuthErrorCode.TokenMissing);
  });

  it('refuses other schemes and garbage', async () => {
    expect((await refusal(verifier.verifyAuthorization('Basic dXNlcjpwYXNz'))).code).toBe(AuthErrorCode.TokenMalformed);
    expect((await refusal(verifier.verifyAuthorization('Bearer not-a-jwt'))).code).toBe(AuthErrorCode.TokenMalformed);
    expect((await refusal(verifier.verifyAuthorization(`Bearer ${'a'.repeat(9000)}.b.c`))).code).toBe(AuthErrorCode.TokenMalformed);
  });

  it('refuses an expired token', async () => {
    const token = await signWithLocalKey({ scope: 'customers:read' }, { exp: Math.floor(Date.now() / 1000) - 120 });
    const e = await refusal(verifier.verifyToken(token));
    expect(e.code).toBe(AuthErrorCode.TokenExpired);
  });

  it('refuses alg "none"', async () => {
    const token = new UnsecuredJWT({ scope: 'customers:read' })
      .setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode();
    const e = await refusal(verifier.verifyToken(token));
    expect(e.code).toBe(AuthErrorCode.TokenAlgorithmNotAllowed);
  });

  it('refuses the algorithm-confusion attack (HS256 keyed with the public key)', async () => {
    const publicJwk = (await readJwks(config.jwt.jwksFile))?.keys[0];
    const kid = publicJwk?.kid ?? '';
    for (const secret of [JSON.stringify(publicJwk), readFileSync(config.jwt.jwksFile, 'utf8')]) {
      const token = await new SignJWT({ scope: 'ops:replay customers:erase' })
        .setProtectedHeader({ alg: 'HS256', kid })
        .setIssuer(config.jwt.issuer)
        .setAudience(config.jwt.audience)
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret));
      expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenAlgorithmNotAllowed);
    }
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    const wrongIss = await signWithLocalKey({}, { iss: 'https://evil.example' });
    const wrongAud = await signWithLocalKey({}, { aud: 'some-other-api' });
    const e1 = await refusal(verifier.verifyToken(wrongIss));
    const e2 = await refusal(verifier.verifyToken(wrongAud));
    expect([e1.code, e2.code]).toEqual([AuthErrorCode.TokenClaimsInvalid, AuthErrorCode.TokenClaimsInvalid]);
    expect(e1.message).toContain('"iss"');
    expect(e2.message).toContain('"aud"');
  });

  it('refuses a token signed by an unknown key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'customers:read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'stranger' })
      .setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenUnknownKey);
  });

  it('refuses a token claiming a known kid but signed by another key, and a tampered payload', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'customers:read' })
      .setProtectedHeader({ alg: 'ES256', kid: privateJwk().kid ?? '' })
      .setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenSignatureInvalid);

    const good = await issuer.mintToken({ subject: 'svc', scopes: ['customers:read'] });
    const [h, p, s] = good.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'customers:read customers:read-pii' })).toString('base64url');
    expect((await refusal(verifier.verifyToken(`${h}.${forged}.${s}`))).code).toBe(AuthErrorCode.TokenSignatureInvalid);
  });

  it('refuses symmetric or private keys planted in the JWKS file', async () => {
    const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
    const jwks = await readJwks(config.jwt.jwksFile);
    writeFileSync(config.jwt.jwksFile, JSON.stringify({ keys: [...(jwks?.keys ?? []), { kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'planted', alg: 'HS256' }] }));
    await store.start();
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'planted' }).setIssuer(config.jwt.issuer).setAudience(config.jwt.audience).setSubject('x').setIssuedAt().setExpirationTime('5m').sign(secret);
    expect((await refusal(verifier.verifyToken(token))).code).toBe(AuthErrorCode.TokenAlgorithmNotAllowed);
    expect(store.kids()).not.toContain('planted');
  });

  it('picks up a rotated key without a restart; old tokens verify until their key is withdrawn', async () => {
    const before = await issuer.mintToken({ subject: 'svc', scopes: [] });
    const oldKid = privateJwk().kid;
    const newKid = await rotateLocalSigningKey(config);
    const after = await issuer.mintToken({ subject: 'svc', scopes: [] });
    expect(JSON.parse(Buffer.from(after.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ kid: newKid });

    // An unknown kid makes the store re-read the file (rate-limited to once a second).
    await expect(eventually(() => verifier.verifyToken(after))).resolves.toMatchObject({ subject: 'svc' });
    await expect(verifier.verifyToken(before)).resolves.toMatchObject({ subject: 'svc' });

    const jwks = await readJwks(config.jwt.jwksFile);
    writeFileSync(config.jwt.jwksFile, JSON.stringify({ keys: (jwks?.keys ?? []).filter((k) => k.kid !== oldKid) }));
    // The reload timer notices the withdrawn key.
    const withdrawn = await eventually(async () => {
      const e = await refusal(verifier.verifyToken(before));
      return e.code;
    });
    expect(withdrawn).toBe(AuthErrorCode.TokenUnknownKey);
    await expect(verifier.verifyToken(after)).resolves.toMatchObject({ subject: 'svc' });
  });

  it('verifies EdDSA tokens too', async () => {
    const ed = loadConfig({ C360_DATA_DIR: path.join(dir, 'ed'), JWT_ALGORITHM: 'EdDSA' });
    await ensureLocalSigningKey(ed);
    const edStore = new JwksFileKeyStore(ed.jwt.jwksFile, 60_000);
    await edStore.start();
    try {
      const v = new TokenVerifier({ issuer: ed.jwt.issuer, audience: ed.jwt.audience, clockToleranceSeconds: 0, getKey: edStore.getKey });
      const token = await TokenIssuer.forConfig(ed).mintToken({ subject: 'svc', scopes: ['ops:read'] });
      await expect(v.verifyToken(token)).resolves.toMatchObject({ subject: 'svc' });
    } finally {
      edStore.stop();
    }
  });

  it('exportJWK of a public key has no private part (sanity for the JWKS we publish)', async () => {
    const jwks = await readJwks(config.jwt.jwksFile);
    expect(jwks?.keys.every((k) => k.d === undefined)).toBe(true);
    const { publicKey } = await generateKeyPair('ES256');
    expect((await exportJWK(publicKey)).d).toBeUndefined();
  });
});
