import * as path from 'node:path';
import { validateSync, type ValidationError } from 'class-validator';
import type { AppConfig, DomainThresholds, JwtAlgorithm, LogLevel, MasterKey, RunMode } from './app-config';
import { ConfigError } from './config-error';
import { DomainSettings, domainCrossChecks, toDomainThresholds } from './domain-settings';
import { EnvSettings, settingsMeta, settingsMetaOf, type SettingKind, type SettingMeta } from './env-settings';
import { parseDurationMs, parseSizeBytes } from './units';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Base for relative paths (C360_DATA_DIR, key files). Defaults to the current directory. */
  readonly cwd?: string;
}

/**
 * Parses and validates the environment once. Throws ConfigError listing every bad setting,
 * each with its name and fix. Empty strings count as unset (so `PORT=` means the default).
 */
export function loadConfig(env: Environment, options: LoadConfigOptions = {}): AppConfig {
  const settings = new EnvSettings();
  const raw = assign(settings, settingsMeta(), env);
  if (raw.get('runMode') === undefined) settings.runMode = defaultRunMode(env);
  const domain = new DomainSettings();
  const domainRaw = assign(domain, settingsMetaOf(DomainSettings), env);

  const found = validate(settings, settingsMeta(), raw);
  const problems = [...found.problems, ...crossChecks(settings)];
  const fromDomain = validateDomain(domain, domainRaw);
  problems.push(...fromDomain.problems);
  if (problems.length > 0) throw new ConfigError(problems, [...found.named, ...fromDomain.named]);
  return Object.freeze({ ...toAppConfig(settings, options.cwd ?? process.cwd()), ...toDomainThresholds(domain) });
}

/**
 * Only the domain rules' thresholds (TIER_*, CHURN_*), for a parser that takes its other
 * settings elsewhere (the projector's derived views). Same rules, defaults and wording as
 * loadConfig, which puts them in AppConfig. Throws ConfigError naming each bad setting.
 */
export function loadDomainThresholds(env: Environment): DomainThresholds {
  const domain = new DomainSettings();
  const { problems, named } = validateDomain(domain, assign(domain, settingsMetaOf(DomainSettings), env));
  if (problems.length > 0) throw new ConfigError(problems, named);
  return toDomainThresholds(domain);
}

/** Sets each variable present in `env` on the settings object, typed by its kind; returns the raw values by property. */
function assign(settings: object, metas: ReadonlyMap<string, SettingMeta>, env: Environment): Map<string, string> {
  const raw = new Map<string, string>();
  for (const [property, meta] of metas) {
    const value = env[meta.env];
    if (value === undefined || value.trim() === '') continue;
    raw.set(property, value);
    Reflect.set(settings, property, coerce(meta.kind, value));
  }
  return raw;
}

/** One line per invalid setting, and the settings named, in the same order. */
function validate(settings: object, metas: ReadonlyMap<string, SettingMeta>, raw: ReadonlyMap<string, string>): { problems: string[]; named: string[] } {
  const errors = validateSync(settings, { forbidUnknownValues: true });
  return {
    problems: errors.map((e) => describe(e, raw, metas)),
    named: errors.map((e) => metas.get(e.property)?.env ?? e.property),
  };
}

function validateDomain(domain: DomainSettings, raw: ReadonlyMap<string, string>): { problems: string[]; named: string[] } {
  const found = validate(domain, settingsMetaOf(DomainSettings), raw);
  if (found.problems.length > 0) return found;
  const cross = domainCrossChecks(domain);
  return { problems: cross, named: cross.map(() => 'TIER_*_MIN_MINOR') };
}

/** Reads the real process environment: the one place in the codebase that touches process.env. */
export function loadConfigFromProcess(options: LoadConfigOptions = {}): AppConfig {
  return loadConfig(process.env, options);
}

/**
 * A frozen copy of the process environment, for the per-app settings parsers that are not yet
 * part of AppConfig (projector, derived views, query API). Reading it here keeps process.env
 * in this one file.
 */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...process.env });
}

function defaultRunMode(env: Environment): RunMode {
  // NODE_ENV is what hosting platforms set; C360_ENV, when present, wins.
  if (env['NODE_ENV'] === 'production') return 'production';
  if (env['NODE_ENV'] === 'test') return 'test';
  return 'development';
}

function coerce(kind: SettingKind, value: string): unknown {
  const text = value.trim();
  switch (kind) {
    case 'string':
      return text;
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    case 'number':
      return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
    case 'duration':
      return parseDurationMs(text);
    case 'size':
      return parseSizeBytes(text);
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  }
}

function describe(error: ValidationError, raw: ReadonlyMap<string, string>, metas: ReadonlyMap<string, SettingMeta>): string {
  const meta: SettingMeta | undefined = metas.get(error.property);
  if (!meta) return `${error.property} is invalid.`;
  return `${meta.env} must be ${meta.rule} (got ${shown(meta, raw.get(error.property))}). ${meta.fix}`;
}

function shown(meta: SettingMeta, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (meta.secret) return `a hidden value of ${value.length} characters`;
  // JSON.stringify escapes CR/LF and quotes, so a hostile value cannot forge log lines.
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function crossChecks(s: EnvSettings): string[] {
  const problems: string[] = [];
  if (Number.isInteger(s.jwtDefaultTtlMs) && Number.isInteger(s.jwtMaxTtlMs) && s.jwtDefaultTtlMs > s.jwtMaxTtlMs) {
    problems.push('JWT_TTL must not exceed JWT_MAX_TTL. Lower JWT_TTL or raise JWT_MAX_TTL.');
  }
  if (s.runMode === 'production') {
    if (s.masterKeys === undefined) {
      problems.push(
        'C360_MASTER_KEYS must be set in production (got nothing). Provision it from your secret store, e.g. C360_MASTER_KEYS="k1:$(openssl rand -base64 32)"; keep old keys listed after the new one when rotating.',
      );
    }
    if (s.jwtJwksFile === undefined) {
      problems.push(
        'JWT_JWKS_FILE must be set in production (got nothing). Point it at the JWKS holding your issuer\'s public keys; locally generated keys are for development only.',
      );
    }
  }
  const keys = s.masterKeys === undefined ? [] : parseMasterKeys(s.masterKeys);
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    problems.push('C360_MASTER_KEYS must not repeat a key id. Give every key its own id.');
  }
  return problems;
}

/** "k1:base64,k0:base64" → keys; the format itself is checked by the schema. */
export function parseMasterKeys(value: string): MasterKey[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.indexOf(':');
      return { id: part.slice(0, at), key: Buffer.from(part.slice(at + 1), 'base64') };
    });
}

function toAppConfig(s: EnvSettings, cwd: string): Omit<AppConfig, keyof DomainThresholds> {
  const dataDir = path.resolve(cwd, s.dataDir);
  const keysDir = path.join(dataDir, 'keys');
  const generateLocalKeys = s.runMode !== 'production' && s.jwtSigningKeyFile === undefined && s.jwtJwksFile === undefined;
  return {
    runMode: s.runMode as RunMode,
    dataDir,
    http: {
      host: s.host,
      port: s.port,
      bodyLimitBytes: s.bodyLimitBytes,
      requestTimeoutMs: s.requestTimeoutMs,
      rateLimit: { max: s.rateLimitMax, windowMs: s.rateLimitWindowMs },
      shutdownTimeoutMs: s.shutdownTimeoutMs,
    },
    database: {
      url: s.databaseUrl,
      poolMax: s.databasePoolMax,
      embedded: { dir: path.join(dataDir, 'pg'), port: s.embeddedPgPort },
    },
    kafka: {
      brokers: s.kafkaBrokers,
      clientId: s.kafkaClientId,
      groupPrefix: s.kafkaGroupPrefix,
      partitions: s.kafkaPartitions,
      replicationFactor: s.kafkaReplicationFactor,
      sessionTimeoutMs: s.kafkaSessionTimeoutMs,
      topics: {
        events: s.kafkaTopicEvents,
        derived: s.kafkaTopicDerived,
        deadLetters: s.kafkaTopicDeadLetters,
        replay: s.kafkaTopicReplay,
      },
    },
    ingestor: { batchSize: s.ingestorBatchSize },
    projector: { port: s.projectorPort },
    eventStore: {
      kind: s.eventStoreConnectionString === undefined ? 'postgres' : 'eventstoredb',
      connectionString: s.eventStoreConnectionString,
    },
    crypto: {
      masterKeys: s.masterKeys === undefined ? undefined : parseMasterKeys(s.masterKeys),
      devMasterKeysFile: path.join(keysDir, 'master-keys.json'),
    },
    jwt: {
      issuer: s.jwtIssuer,
      audience: s.jwtAudience,
      algorithm: s.jwtAlgorithm as JwtAlgorithm,
      signingKeyFile: path.resolve(cwd, s.jwtSigningKeyFile ?? path.join(keysDir, 'jwt-signing-key.json')),
      jwksFile: path.resolve(cwd, s.jwtJwksFile ?? path.join(keysDir, 'jwks.json')),
      generateLocalKeys,
      defaultTtlSeconds: Math.floor(s.jwtDefaultTtlMs / 1000),
      maxTtlSeconds: Math.floor(s.jwtMaxTtlMs / 1000),
      clockToleranceSeconds: Math.floor(s.jwtClockToleranceMs / 1000),
      keysReloadIntervalMs: s.jwtKeysReloadIntervalMs,
    },
    log: { level: s.logLevel as LogLevel },
  };
}
