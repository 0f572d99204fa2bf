import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { AppConfig } from '@c360/config';
import { isKnownScope } from './scopes';

export interface MintTokenRequest {
  readonly subject: string;
  readonly scopes: readonly string[];
  /** Lifetime in seconds; defaults to JWT_TTL, capped by JWT_MAX_TTL. */
  readonly ttlSeconds?: number;
}

/** A request the issuer refuses (bad scope, subject or lifetime); the message says what to change. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
}

interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly key: Awaited<ReturnType<typeof importJWK>>;
}

/** Mints access tokens with the configured signing key (local use: CLI, demo, start-up banner). */
export class TokenIssuer {
  private constructor(
    private readonly config: AppConfig,
    private readonly signingKeyFile: string,
  ) {}

  static forConfig(config: AppConfig): TokenIssuer {
    return new TokenIssuer(config, config.jwt.signingKeyFile);
  }

  async mintToken(request: MintTokenRequest): Promise<string> {
    const { jwt } = this.config;
    const ttl = request.ttlSeconds ?? jwt.defaultTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > jwt.maxTtlSeconds) {
      throw new TokenRequestError(`Token lifetime must be 1s to ${jwt.maxTtlSeconds}s (JWT_MAX_TTL); got ${ttl}s.`);
    }
    if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(request.subject)) {
      throw new TokenRequestError('Subject must be 1-128 characters of letters, digits and . _ : @ -.');
    }
    const unknown = request.scopes.filter((s) => !isKnownScope(s));
    if (unknown.length > 0) {
      throw new TokenRequestError(`Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}.`);
    }
    // Read per mint so a rotated key file takes effect without a restart.
    const signing = await this.loadSigningKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: [...new Set(request.scopes)].join(' ') })
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'at+jwt' })
      .setIssuer(jwt.issuer)
      .setAudience(jwt.audience)
      .setSubject(request.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(signing.key);
  }

  private async loadSigningKey(): Promise<SigningKey> {
    let jwk: JWK;
    try {
      jwk = JSON.parse(await fs.readFile(this.signingKeyFile, 'utf8')) as JWK;
    } catch (e) {
      throw new TokenRequestError(
        `No signing key at ${this.signingKeyFile} (${(e as Error).message.split('\n')[0] ?? 'unreadable'}). Set JWT_SIGNING_KEY_FILE to a private JWK, or unset it in development to generate one.`,
      );
    }
    const alg = jwk.alg ?? this.config.jwt.algorithm;
    if (!jwk.kid || jwk.d === undefined || (alg !== 'ES256' && alg !== 'EdDSA')) {
      throw new TokenRequestError(`${this.signingKeyFile} must hold a private ES256 or EdDSA JWK with a "kid".`);
    }
    return { kid: jwk.kid, alg, key: await importJWK(jwk, alg) };
  }
}
