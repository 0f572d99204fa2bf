import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from './load-config';
import { resolveMasterKeys } from './master-keys';

describe('resolveMasterKeys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'c360-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a dev key once, private to the owner, and reuses it', async () => {
    const config = loadConfig({ C360_DATA_DIR: dir });
    const first = await resolveMasterKeys(config);
    const again = await resolveMasterKeys(config);
    expect(first).toHaveLength(1);
    expect(first[0]?.key).toHaveLength(32);
    expect(again[0]?.id).toBe(first[0]?.id);
    expect(again[0]?.key.equals(first[0]?.key ?? Buffer.alloc(0))).toBe(true);
    expect(statSync(config.crypto.devMasterKeysFile).mode & 0o777).toBe(0o600);
  });

  it('uses C360_MASTER_KEYS when set', async () => {
    const k = randomBytes(32);
    const keys = await resolveMasterKeys(loadConfig({ C360_DATA_DIR: dir, C360_MASTER_KEYS: `prod1:${k.toString('base64')}` }));
    expect(keys.map((x) => x.id)).toEqual(['prod1']);
  });
});
