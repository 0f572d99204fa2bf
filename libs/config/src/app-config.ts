import type { ChurnConfig, DomainConfig } from '@c360/customer-domain';
import type { JWT_ALGORITHMS, LOG_LEVELS, RUN_MODES } from './env-settings';

export type RunMode = (typeof RUN_MODES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** A key-encryption key for crypto-shredding; `key` is 32 raw bytes. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The domain rules' thresholds (TIER_*, CHURN_*): the same in every process that computes tiers or churn. */
export interface DomainThresholds {
  /** Valuation, tier thresholds, profitability. */
  readonly domain: DomainConfig;
  /** Churn rule thresholds and weights. */
  readonly churn: ChurnConfig;
}

/** The whole configuration of a c360 process: typed, validated, frozen. */
export interface AppConfig extends DomainThresholds {
  readonly runMode: RunMode;
  /** Absolute path; every generated local file (keys, embedded PostgreSQL) lives below it. */
  readonly dataDir: string;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly requestTimeoutMs: number;
    readonly rateLimit: { readonly max: number; readonly windowMs: number };
    readonly shutdownTimeoutMs: number;
  };
  readonly database: {
    /** Unset: embedded PostgreSQL with its data in `embedded.dir`. */
    readonly url: string | undefined;
    readonly poolMax: number;
    readonly embedded: { readonly dir: string; readonly port: number };
  };
  readonly kafka: {
    /** Unset: the in-process transport stands in for Kafka. */
    readonly brokers: readonly string[] | undefined;
    readonly clientId: string;
    readonly groupPrefix: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    /** Consumer group session timeout (KAFKA_SESSION_TIMEOUT). */
    readonly sessionTimeoutMs: number;
    readonly topics: {
      readonly events: string;
      readonly derived: string;
      readonly deadLetters: string;
      readonly replay: string;
    };
  };
  readonly ingestor: {
    /** Most records per consumer batch (INGESTOR_BATCH_SIZE). */
    readonly batchSize: number;
  };
  readonly projector: {
    /** HTTP port of the standalone projector process (PROJECTOR_PORT); the other apps use `http.port`. */
    readonly port: number;
  };
  readonly eventStore: {
    readonly kind: 'postgres' | 'eventstoredb';
    readonly connectionString: string | undefined;
  };
  readonly crypto: {
    /** From C360_MASTER_KEYS; undefined outside production means "use the generated dev file". */
    readonly masterKeys: readonly MasterKey[] | undefined;
    readonly devMasterKeysFile: string;
  };
  readonly jwt: {
    readonly issuer: string;
    readonly audience: string;
    readonly algorithm: JwtAlgorithm;
    readonly signingKeyFile: string;
    readonly jwksFile: string;
    /** True when the key files are the generated local ones (created on first use). */
    readonly generateLocalKeys: boolean;
    readonly defaultTtlSeconds: number;
    readonly maxTtlSeconds: number;
    readonly clockToleranceSeconds: number;
    readonly keysReloadIntervalMs: number;
  };
  readonly log: { readonly level: LogLevel };
}
