import { promises as fs } from 'node:fs';
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';
import { readJwks } from './local-keys';

/** Public keys by kid from a JWKS file, reloaded when the file changes (key rotation without restart). */
export class JwksFileKeyStore {
  private keySet: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
  private currentKeys: JWK[] = [];
  private fingerprint = '';
  private lastCheck = 0;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private version = 0;

  constructor(
    private readonly file: string,
    private readonly reloadIntervalMs: number,
  ) {}

  /** Loads the file now and then re-checks it every interval (the timer never holds the process open). */
  async start(): Promise<void> {
    await this.reloadIfChanged(true);
    this.timer = setInterval(() => {
      this.reloadIfChanged(false).catch(() => undefined);
    }, this.reloadIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The key resolver for jwtVerify; an unknown kid triggers one early re-read (at most once a second). */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.keySet(header, token);
    } catch (e) {
      if (Date.now() - this.lastCheck < 1_000) throw e;
      await this.reloadIfChanged(false);
      return this.keySet(header, token);
    }
  };

  /** Changes every time the trusted key set is replaced (TokenVerifier empties its cache then). */
  readonly keySetVersion = (): number => this.version;

  /** The kids currently trusted (for diagnostics; never the keys themselves). */
  kids(): string[] {
    return this.currentKeys.map((k) => k.kid ?? '').filter((k) => k.length > 0);
  }

  private async reloadIfChanged(force: boolean): Promise<void> {
    // Concurrent verifications share one reload rather than each reading the file.
    this.reloading ??= this.doReload(force).finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(force: boolean): Promise<void> {
    this.lastCheck = Date.now();
    let stamp: string;
    try {
      const st = await fs.stat(this.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      stamp = 'missing';
    }
    if (!force && stamp === this.fingerprint) return;
    const doc = await readJwks(this.file);
    // Only asymmetric public keys: a symmetric ("oct") or private entry in a JWKS is a mistake we refuse to use.
    const keys = (doc?.keys ?? []).filter((k) => (k.kty === 'EC' || k.kty === 'OKP' || k.kty === 'RSA') && k.d === undefined);
    this.currentKeys = keys;
    this.keySet = createLocalJWKSet({ keys });
    this.fingerprint = stamp;
    this.version++;
  }
}
