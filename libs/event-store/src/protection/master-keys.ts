/**
 * Master keys wrap the per-subject data keys. They come from configuration (32 bytes each,
 * base64), identified by a key id so that they can be rotated: new wraps use the active key,
 * data keys wrapped by an older one still unwrap as long as it stays configured.
 */
export interface MasterKeyConfig {
  /** The key id used for new wraps; must be one of `keys`. */
  readonly activeKeyId: string;
  /** Key id → 32-byte key, base64 (standard or URL-safe). */
  readonly keys: Readonly<Record<string, string>>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class MasterKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  private constructor(
    readonly activeKeyId: string,
    keys: Map<string, Buffer>,
  ) {
    this.keys = keys;
  }

  /** Validates the configuration; a bad entry is named (never its value). */
  static fromConfig(config: MasterKeyConfig): MasterKeyring {
    const keys = new Map<string, Buffer>();
    for (const [id, b64] of Object.entries(config.keys)) {
      if (!KEY_ID.test(id)) throw new Error(`master key id "${id.slice(0, 64)}" must match ${KEY_ID.source}`);
      const normalised = b64.trim().replace(/-/g, '+').replace(/_/g, '/');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(normalised)) throw new Error(`master key "${id}" is not base64`);
      const bytes = Buffer.from(normalised, 'base64');
      if (bytes.length !== 32) throw new Error(`master key "${id}" must be 32 bytes (got ${bytes.length})`);
      keys.set(id, bytes);
    }
    if (!keys.has(config.activeKeyId)) {
      throw new Error(`active master key id "${config.activeKeyId.slice(0, 64)}" is not among the configured keys`);
    }
    return new MasterKeyring(config.activeKeyId, keys);
  }

  /**
   * Parses the compact form `id1:base64,id2:base64`; the first entry is the active key
   * unless `activeKeyId` says otherwise. (The config lib reads the environment and calls this.)
   */
  static parse(spec: string, activeKeyId?: string): MasterKeyring {
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => {
        const colon = s.indexOf(':');
        if (colon <= 0) throw new Error('master keys must be written id:base64[,id:base64…]');
        return [s.slice(0, colon), s.slice(colon + 1)] as const;
      });
    const first = entries[0];
    if (!first) throw new Error('no master key configured');
    const keys: Record<string, string> = {};
    for (const [id, value] of entries) {
      if (id in keys) throw new Error(`master key id "${id}" given twice`);
      keys[id] = value;
    }
    return MasterKeyring.fromConfig({ activeKeyId: activeKeyId ?? first[0], keys });
  }

  /** The active key (for new wraps). */
  active(): { readonly id: string; readonly key: Buffer } {
    return { id: this.activeKeyId, key: this.get(this.activeKeyId) };
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  get(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new Error(`master key "${id.slice(0, 64)}" is not configured (needed to unwrap a data key)`);
    return key;
  }

  ids(): string[] {
    return [...this.keys.keys()];
  }
}
