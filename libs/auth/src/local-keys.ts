import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AppConfig } from '@c360/config';

export interface JwksDocument {
  keys: JWK[];
}

/**
 * Development only: makes sure a local signing key exists (private JWK file) and that its
 * public half is in the JWKS file the verifier watches. Safe to call on every start; a
 * no-op when keys are provisioned (JWT_SIGNING_KEY_FILE / JWT_JWKS_FILE, or production).
 */
export async function ensureLocalSigningKey(config: AppConfig): Promise<void> {
  if (!config.jwt.generateLocalKeys) return;
  try {
    await fs.access(config.jwt.signingKeyFile);
    return;
  } catch {
    await rotateLocalSigningKey(config);
  }
}

/**
 * Generates a new signing key, publishes it first in the JWKS (older keys stay, so tokens
 * they signed keep verifying until they expire) and makes it the one new tokens use.
 * Running verifiers pick the new key up from the JWKS file without a restart.
 */
export async function rotateLocalSigningKey(config: AppConfig): Promise<string> {
  const { jwt } = config;
  const kid = `local-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const { publicKey, privateKey } = await generateKeyPair(jwt.algorithm, { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: jwt.algorithm, use: 'sig' };
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: jwt.algorithm, use: 'sig' };

  const existing = await readJwks(jwt.jwksFile);
  await writeAtomically(jwt.jwksFile, { keys: [publicJwk, ...(existing?.keys ?? [])] }, 0o644);
  // The private key is written after the JWKS so a token is never signed by a key no verifier knows.
  await writeAtomically(jwt.signingKeyFile, privateJwk, 0o600);
  return kid;
}

export async function readJwks(file: string): Promise<JwksDocument | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<JwksDocument>;
  if (!Array.isArray(parsed.keys)) throw new Error(`${file} is not a JWKS document (no "keys" array).`);
  return { keys: parsed.keys };
}

/** Write-then-rename, so a watcher never reads a half-written file. */
async function writeAtomically(file: string, value: unknown, mode: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  await fs.rename(tmp, file);
}
