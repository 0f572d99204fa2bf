import { ensureLocalSigningKey, TokenIssuer } from '@c360/auth';
import type { AppConfig } from '@c360/config';
import { parseTokenOptions, type RawTokenOptions } from './token-options';

/** `c360 token`: prints only the token (so `$(npx c360 token …)` works), signed with the configured key. */
export async function runTokenCommand(raw: RawTokenOptions, config: AppConfig): Promise<void> {
  const options = parseTokenOptions(raw, config);
  await ensureLocalSigningKey(config);
  const token = await TokenIssuer.forConfig(config).mintToken(options);
  process.stdout.write(`${token}\n`);
}
