import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** How a raw environment string becomes the typed value that class-validator checks. */
export type SettingKind = 'string' | 'int' | 'number' | 'duration' | 'size' | 'list';

export interface SettingMeta {
  readonly env: string;
  readonly kind: SettingKind;
  /** What a valid value looks like, completing "<ENV> must be …". */
  readonly rule: string;
  /** The sentence telling the operator what to do. */
  readonly fix: string;
  /** Never echo the value back (keys, credentials). */
  readonly secret?: boolean;
}

/** Declared settings per settings class (by its prototype), by property name. */
const META = new WeakMap<object, Map<string, SettingMeta>>();

/** Binds a property to its environment variable, its parsing and its error wording. */
export function Setting(meta: SettingMeta): PropertyDecorator {
  return (target, property) => {
    const own = META.get(target) ?? new Map<string, SettingMeta>();
    own.set(String(property), meta);
    META.set(target, own);
  };
}

/** Every setting a settings class declares, by property name. */
export function settingsMetaOf(settingsClass: abstract new () => object): ReadonlyMap<string, SettingMeta> {
  return META.get(settingsClass.prototype as object) ?? new Map<string, SettingMeta>();
}

/** Every declared setting of EnvSettings, by property name. */
export function settingsMeta(): ReadonlyMap<string, SettingMeta> {
  return settingsMetaOf(EnvSettings);
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const HOSTPORT = /^[^\s:,]+:\d{1,5}$/;
const DB_URL = /^postgres(ql)?:\/\/\S+$/;
const ESDB_URL = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\/\S+$/;
/** keyId:base64 of 32 bytes (44 base64 chars), comma-separated; the first one wraps new data keys. */
const MASTER_KEYS = /^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=(\s*,\s*[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=)*$/;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const RUN_MODES = ['development', 'test', 'production'] as const;
export const JWT_ALGORITHMS = ['ES256', 'EdDSA'] as const;

/**
 * The environment as one validated object. Defaults live here, next to their rules; the
 * typed, nested AppConfig is derived from it in load-config.ts.
 */
export class EnvSettings {
  @Setting({ env: 'C360_ENV', kind: 'string', rule: 'one of development, test, production', fix: 'Set C360_ENV=production only where keys are provisioned.' })
  @IsIn(RUN_MODES)
  runMode: string = 'development';

  @Setting({ env: 'PORT', kind: 'int', rule: 'an integer 1-65535', fix: 'Set PORT to a free TCP port.' })
  @IsInt() @Min(1) @Max(65535)
  port: number = 3000;

  @Setting({ env: 'PROJECTOR_PORT', kind: 'int', rule: 'an integer 1-65535', fix: 'Set PROJECTOR_PORT to a free TCP port for the standalone projector\'s health, metrics and ops endpoints (default 3003).' })
  @IsInt() @Min(1) @Max(65535)
  projectorPort: number = 3003;

  @Setting({ env: 'HOST', kind: 'string', rule: 'a host name or IP address to listen on', fix: 'Set HOST=0.0.0.0 to listen on every interface (containers), or 127.0.0.1 for this machine only.' })
  @Matches(/^[A-Za-z0-9.:[\]-]{1,253}$/)
  host: string = '127.0.0.1';

  @Setting({ env: 'C360_DATA_DIR', kind: 'string', rule: 'a directory path', fix: 'Set C360_DATA_DIR to a writable directory (default ./.data).' })
  @IsString() @Matches(/^[^\0]+$/)
  dataDir: string = './.data';

  @Setting({ env: 'DATABASE_URL', kind: 'string', rule: 'a postgres:// or postgresql:// URL', fix: 'Set DATABASE_URL like postgres://postgres@127.0.0.1:5432/c360, or unset it to use embedded PostgreSQL.', secret: true })
  @IsOptional() @Matches(DB_URL)
  databaseUrl: string | undefined = undefined;

  @Setting({ env: 'DATABASE_POOL_MAX', kind: 'int', rule: 'an integer 1-200', fix: 'Set DATABASE_POOL_MAX to the connections this process may hold (default 10).' })
  @IsInt() @Min(1) @Max(200)
  databasePoolMax: number = 10;

  @Setting({ env: 'EMBEDDED_PG_PORT', kind: 'int', rule: 'an integer 0-65535 (0 picks a free port)', fix: 'Set EMBEDDED_PG_PORT to a free TCP port or 0.' })
  @IsInt() @Min(0) @Max(65535)
  embeddedPgPort: number = 0;

  @Setting({ env: 'KAFKA_BROKERS', kind: 'list', rule: 'a comma-separated list of host:port', fix: 'Set KAFKA_BROKERS like 127.0.0.1:9092, or unset it for the in-process transport.' })
  @IsOptional() @Matches(HOSTPORT, { each: true })
  kafkaBrokers: string[] | undefined = undefined;

  @Setting({ env: 'KAFKA_CLIENT_ID', kind: 'string', rule: 'letters, digits, dots, dashes or underscores', fix: 'Set KAFKA_CLIENT_ID to a short name for this deployment.' })
  @Matches(TOPIC)
  kafkaClientId: string = 'c360';

  @Setting({ env: 'KAFKA_TOPIC_EVENTS', kind: 'string', rule: 'a Kafka topic name ([A-Za-z0-9._-], up to 249)', fix: 'Set KAFKA_TOPIC_EVENTS to a valid topic name.' })
  @Matches(TOPIC)
  kafkaTopicEvents: string = 'c360.events.v1';

  @Setting({ env: 'KAFKA_TOPIC_DERIVED', kind: 'string', rule: 'a Kafka topic name ([A-Za-z0-9._-], up to 249)', fix: 'Set KAFKA_TOPIC_DERIVED to a valid topic name.' })
  @Matches(TOPIC)
  kafkaTopicDerived: string = 'c360.derived.v1';

  @Setting({ env: 'KAFKA_TOPIC_DEAD_LETTERS', kind: 'string', rule: 'a Kafka topic name ([A-Za-z0-9._-], up to 249)', fix: 'Set KAFKA_TOPIC_DEAD_LETTERS to a valid topic name.' })
  @Matches(TOPIC)
  kafkaTopicDeadLetters: string = 'c360.dead-letters.v1';

  @Setting({ env: 'KAFKA_TOPIC_REPLAY', kind: 'string', rule: 'a Kafka topic name ([A-Za-z0-9._-], up to 249)', fix: 'Set KAFKA_TOPIC_REPLAY to a valid topic name.' })
  @Matches(TOPIC)
  kafkaTopicReplay: string = 'c360.replay.v1';

  @Setting({ env: 'KAFKA_PARTITIONS', kind: 'int', rule: 'an integer 1-1000', fix: 'Set KAFKA_PARTITIONS to the partition count for new topics (default 6).' })
  @IsInt() @Min(1) @Max(1000)
  kafkaPartitions: number = 6;

  @Setting({ env: 'KAFKA_REPLICATION_FACTOR', kind: 'int', rule: 'an integer 1-10', fix: 'Set KAFKA_REPLICATION_FACTOR to at most the number of brokers (default 1).' })
  @IsInt() @Min(1) @Max(10)
  kafkaReplicationFactor: number = 1;

  @Setting({ env: 'KAFKA_GROUP_PREFIX', kind: 'string', rule: 'letters, digits, dots, dashes or underscores', fix: 'Set KAFKA_GROUP_PREFIX to a short name (default c360).' })
  @Matches(TOPIC)
  kafkaGroupPrefix: string = 'c360';

  @Setting({ env: 'INGESTOR_BATCH_SIZE', kind: 'int', rule: 'an integer 1-10000', fix: 'Set INGESTOR_BATCH_SIZE to the most Kafka records the ingestor takes in one batch (default 2000; larger is faster catching up, longer per batch).' })
  @IsInt() @Min(1) @Max(10_000)
  ingestorBatchSize: number = 2000;

  @Setting({ env: 'KAFKA_SESSION_TIMEOUT', kind: 'duration', rule: 'a duration from 6s to 5m', fix: 'Set KAFKA_SESSION_TIMEOUT like 30s (default): how long a silent consumer keeps its partitions; within the broker\'s group.min/max.session.timeout.ms.' })
  @IsInt() @Min(6_000) @Max(300_000)
  kafkaSessionTimeoutMs: number = 30_000;

  @Setting({ env: 'EVENTSTORE_CONNECTION_STRING', kind: 'string', rule: 'an esdb:// or kurrentdb:// connection string', fix: 'Set EVENTSTORE_CONNECTION_STRING like esdb://127.0.0.1:2113?tls=false, or unset it for the PostgreSQL event store.', secret: true })
  @IsOptional() @Matches(ESDB_URL)
  eventStoreConnectionString: string | undefined = undefined;

  @Setting({ env: 'C360_MASTER_KEYS', kind: 'string', rule: 'a comma-separated list of keyId:base64 (32 random bytes each; the first wraps new data keys)', fix: 'Generate one with: echo "k1:$(openssl rand -base64 32)".', secret: true })
  @IsOptional() @Matches(MASTER_KEYS)
  masterKeys: string | undefined = undefined;

  @Setting({ env: 'JWT_ISSUER', kind: 'string', rule: 'a non-empty string without spaces', fix: 'Set JWT_ISSUER to the iss claim your tokens carry.' })
  @Matches(/^\S{1,512}$/)
  jwtIssuer: string = 'c360-local';

  @Setting({ env: 'JWT_AUDIENCE', kind: 'string', rule: 'a non-empty string without spaces', fix: 'Set JWT_AUDIENCE to the aud claim your tokens carry.' })
  @Matches(/^\S{1,512}$/)
  jwtAudience: string = 'c360';

  @Setting({ env: 'JWT_ALGORITHM', kind: 'string', rule: 'ES256 or EdDSA', fix: 'Set JWT_ALGORITHM=ES256 (default) or EdDSA.' })
  @IsIn(JWT_ALGORITHMS)
  jwtAlgorithm: string = 'ES256';

  @Setting({ env: 'JWT_SIGNING_KEY_FILE', kind: 'string', rule: 'a path to a private JWK file (with kid)', fix: 'Point JWT_SIGNING_KEY_FILE at a private JWK, or unset it to use <C360_DATA_DIR>/keys/jwt-signing-key.json.' })
  @IsOptional() @IsString() @Matches(/^[^\0]+$/)
  jwtSigningKeyFile: string | undefined = undefined;

  @Setting({ env: 'JWT_JWKS_FILE', kind: 'string', rule: 'a path to a JWKS file (public keys, each with kid)', fix: 'Point JWT_JWKS_FILE at a JWKS file, or unset it to use <C360_DATA_DIR>/keys/jwks.json.' })
  @IsOptional() @IsString() @Matches(/^[^\0]+$/)
  jwtJwksFile: string | undefined = undefined;

  @Setting({ env: 'JWT_TTL', kind: 'duration', rule: 'a duration like 15m, 1h or 1d (60s to 30d)', fix: 'Set JWT_TTL to the default lifetime of locally minted tokens.' })
  @IsInt() @Min(60_000) @Max(30 * 86_400_000)
  jwtDefaultTtlMs: number = 3_600_000;

  @Setting({ env: 'JWT_MAX_TTL', kind: 'duration', rule: 'a duration like 1h or 7d (60s to 365d)', fix: 'Set JWT_MAX_TTL to the longest lifetime a minted token may have.' })
  @IsInt() @Min(60_000) @Max(365 * 86_400_000)
  jwtMaxTtlMs: number = 7 * 86_400_000;

  @Setting({ env: 'JWT_CLOCK_TOLERANCE', kind: 'duration', rule: 'a duration from 0s to 5m', fix: 'Set JWT_CLOCK_TOLERANCE to the allowed clock skew (default 30s).' })
  @IsInt() @Min(0) @Max(300_000)
  jwtClockToleranceMs: number = 30_000;

  @Setting({ env: 'JWT_KEYS_RELOAD_INTERVAL', kind: 'duration', rule: 'a duration from 1s to 1h', fix: 'Set JWT_KEYS_RELOAD_INTERVAL to how often the JWKS file is checked for rotated keys (default 5s).' })
  @IsInt() @Min(1_000) @Max(3_600_000)
  jwtKeysReloadIntervalMs: number = 5_000;

  @Setting({ env: 'LOG_LEVEL', kind: 'string', rule: 'one of fatal, error, warn, info, debug, trace, silent', fix: 'Set LOG_LEVEL=info (default) or another pino level.' })
  @IsIn(LOG_LEVELS)
  logLevel: string = 'info';

  @Setting({ env: 'RATE_LIMIT_MAX', kind: 'int', rule: 'an integer 1-1000000', fix: 'Set RATE_LIMIT_MAX to the requests one client may make per window (default 1200).' })
  @IsInt() @Min(1) @Max(1_000_000)
  rateLimitMax: number = 1200;

  @Setting({ env: 'RATE_LIMIT_WINDOW', kind: 'duration', rule: 'a duration from 1s to 1h', fix: 'Set RATE_LIMIT_WINDOW like 1m (default).' })
  @IsInt() @Min(1_000) @Max(3_600_000)
  rateLimitWindowMs: number = 60_000;

  @Setting({ env: 'BODY_LIMIT', kind: 'size', rule: 'a size like 256kb or 1mb (1kb to 64mb)', fix: 'Set BODY_LIMIT to the largest request body accepted (default 1mb).' })
  @IsInt() @Min(1024) @Max(64 * 1024 * 1024)
  bodyLimitBytes: number = 1024 * 1024;

  @Setting({ env: 'REQUEST_TIMEOUT', kind: 'duration', rule: 'a duration from 1s to 10m', fix: 'Set REQUEST_TIMEOUT like 30s (default).' })
  @IsInt() @Min(1_000) @Max(600_000)
  requestTimeoutMs: number = 30_000;

  @Setting({ env: 'SHUTDOWN_TIMEOUT', kind: 'duration', rule: 'a duration from 1s to 5m', fix: 'Set SHUTDOWN_TIMEOUT to how long a stop may drain before exiting (default 10s).' })
  @IsInt() @Min(1_000) @Max(300_000)
  shutdownTimeoutMs: number = 10_000;
}
