import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AppConfig, MasterKey } from './app-config';

interface StoredKeys {
  keys: { id: string; key: string }[];
}

/**
 * The master keys that wrap data keys (crypto-shredding). Production: C360_MASTER_KEYS
 * (enforced by loadConfig). Development: generated once into the data dir and reused, so
 * encrypted data stays readable across restarts. The first key is the current one.
 */
export async function resolveMasterKeys(config: AppConfig): Promise<readonly MasterKey[]> {
  if (config.crypto.masterKeys !== undefined) return config.crypto.masterKeys;
  const file = config.crypto.devMasterKeysFile;
  const existing = await readKeys(file);
  if (existing) return existing;
  const keys: MasterKey[] = [{ id: `dev-${Date.now().toString(36)}`, key: randomBytes(32) }];
  const stored: StoredKeys = { keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64') })) };
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx' so two processes starting together cannot overwrite each other's key.
  try {
    await fs.writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const raced = await readKeys(file);
    if (raced) return raced;
  }
  return keys;
}

/**
 * The configured master keys, or the development key file's if it exists — never creates one
 * (for tools such as the CLI that must read what the platform wrote, not start a new keyring).
 */
export async function existingMasterKeys(config: AppConfig): Promise<readonly MasterKey[] | undefined> {
  if (config.crypto.masterKeys !== undefined) return config.crypto.masterKeys;
  return readKeys(config.crypto.devMasterKeysFile);
}

async function readKeys(file: string): Promise<MasterKey[] | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = JSON.parse(text) as StoredKeys;
  const keys = parsed.keys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }));
  if (keys.length === 0 || keys.some((k) => k.key.length !== 32)) {
    throw new Error(`${file} holds no valid 32-byte master key; restore it from a backup or delete it to start afresh (encrypted data becomes unreadable).`);
  }
  return keys;
}
