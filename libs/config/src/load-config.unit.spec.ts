import { randomBytes } from 'node:crypto';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const key = (): string => randomBytes(32).toString('base64');

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, { cwd: '/srv/c360' });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives every setting a default', () => {
    const c = loadConfig({}, { cwd: '/srv/c360' });
    expect(c.runMode).toBe('development');
    expect(c.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      bodyLimitBytes: 1024 * 1024,
      requestTimeoutMs: 30_000,
      rateLimit: { max: 1200, windowMs: 60_000 },
      shutdownTimeoutMs: 10_000,
    });
    expect(c.dataDir).toBe('/srv/c360/.data');
    expect(c.database).toEqual({ url: undefined, poolMax: 10, embedded: { dir: '/srv/c360/.data/pg', port: 0 } });
    expect(c.kafka.brokers).toBeUndefined();
    expect(c.kafka.topics.events).toBe('c360.events.v1');
    expect(c.eventStore).toEqual({ kind: 'postgres', connectionString: undefined });
    expect(c.crypto.masterKeys).toBeUndefined();
    expect(c.jwt).toMatchObject({
      issuer: 'c360-local',
      audience: 'c360',
      algorithm: 'ES256',
      signingKeyFile: '/srv/c360/.data/keys/jwt-signing-key.json',
      jwksFile: '/srv/c360/.data/keys/jwks.json',
      generateLocalKeys: true,
      defaultTtlSeconds: 3600,
    });
    expect(c.log.level).toBe('info');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads and types every kind of setting', () => {
    const k1 = key();
    const k0 = key();
    const c = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        C360_DATA_DIR: '/var/lib/c360',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/c360',
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        KAFKA_PARTITIONS: '12',
        EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false',
        C360_MASTER_KEYS: `k1:${k1},k0:${k0}`,
        JWT_TTL: '15m',
        JWT_ALGORITHM: 'EdDSA',
        BODY_LIMIT: '256kb',
        RATE_LIMIT_WINDOW: '10s',
        LOG_LEVEL: 'debug',
      },
      { cwd: '/srv/c360' },
    );
    expect(c.http.port).toBe(8080);
    expect(c.http.host).toBe('0.0.0.0');
    expect(c.database.embedded.dir).toBe('/var/lib/c360/pg');
    expect(c.database.url).toBe('postgres://postgres@127.0.0.1:5432/c360');
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.kafka.partitions).toBe(12);
    expect(c.eventStore.kind).toBe('eventstoredb');
    expect(c.crypto.masterKeys?.map((m) => m.id)).toEqual(['k1', 'k0']);
    expect(c.crypto.masterKeys?.[0]?.key.equals(Buffer.from(k1, 'base64'))).toBe(true);
    expect(c.jwt.defaultTtlSeconds).toBe(900);
    expect(c.jwt.algorithm).toBe('EdDSA');
    expect(c.http.bodyLimitBytes).toBe(256 * 1024);
    expect(c.http.rateLimit.windowMs).toBe(10_000);
    expect(c.log.level).toBe('debug');
  });

  it('names the ingestor batch size and the Kafka session timeout, with defaults and bounds', () => {
    const d = loadConfig({});
    expect(d.ingestor.batchSize).toBe(2000);
    expect(d.kafka.sessionTimeoutMs).toBe(30_000);
    const c = loadConfig({ INGESTOR_BATCH_SIZE: '500', KAFKA_SESSION_TIMEOUT: '45s' });
    expect(c.ingestor.batchSize).toBe(500);
    expect(c.kafka.sessionTimeoutMs).toBe(45_000);
    const problems = problemsOf({ INGESTOR_BATCH_SIZE: '0', KAFKA_SESSION_TIMEOUT: '1s' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^INGESTOR_BATCH_SIZE must be an integer 1-10000 \(got "0"\)\. Set INGESTOR_BATCH_SIZE/);
    expect(problems[1]).toMatch(/^KAFKA_SESSION_TIMEOUT must be a duration from 6s to 5m \(got "1s"\)\. Set KAFKA_SESSION_TIMEOUT/);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' }).http.port).toBe(3000);
  });

  it('fails fast naming the setting, the bad value and the fix', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(
      'Invalid configuration: PORT must be an integer 1-65535 (got "abc"). Set PORT to a free TCP port.',
    );
    expect(problemsOf({ PORT: '70000' })).toEqual([
      'PORT must be an integer 1-65535 (got "70000"). Set PORT to a free TCP port.',
    ]);
  });

  it('gives the standalone projector its own port (PROJECTOR_PORT, default 3003), checked like PORT', () => {
    expect(loadConfig({}).projector.port).toBe(3003);
    expect(loadConfig({ PROJECTOR_PORT: '9103', PORT: '8080' })).toMatchObject({ projector: { port: 9103 }, http: { port: 8080 } });
    expect(problemsOf({ PROJECTOR_PORT: '70000' })).toEqual([
      'PROJECTOR_PORT must be an integer 1-65535 (got "70000"). Set PROJECTOR_PORT to a free TCP port for the standalone projector\'s health, metrics and ops endpoints (default 3003).',
    ]);
  });

  it('reports every bad setting at once', () => {
    const problems = problemsOf({ PORT: '0', LOG_LEVEL: 'loud', JWT_TTL: 'soon', KAFKA_BROKERS: 'nohost' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^PORT must be/m);
    expect(problems.join('\n')).toMatch(/^LOG_LEVEL must be one of fatal, error/m);
    expect(problems.join('\n')).toMatch(/^JWT_TTL must be a duration like 15m/m);
    expect(problems.join('\n')).toMatch(/^KAFKA_BROKERS must be a comma-separated list of host:port/m);
  });

  it('never echoes secret values', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/c360' });
    expect(problem).toMatch(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL \(got a hidden value of \d+ characters\)/);
    expect(problem).not.toContain('hunter2');
    expect(problemsOf({ C360_MASTER_KEYS: 'k1:tooshort' })[0]).not.toContain('tooshort');
  });

  it('escapes CR/LF in echoed values so the message stays one line per setting', () => {
    const [problem] = problemsOf({ LOG_LEVEL: 'info\r\nFAKE LOG LINE' });
    expect(problem).toContain('"info\\r\\nFAKE LOG LINE"');
    expect(problem).not.toMatch(/[\r\n]/);
  });

  it('rejects malformed master keys and repeated key ids', () => {
    expect(problemsOf({ C360_MASTER_KEYS: 'k1:not-base64!' })[0]).toMatch(/^C360_MASTER_KEYS must be/);
    const k = key();
    expect(problemsOf({ C360_MASTER_KEYS: `k1:${k},k1:${key()}` })).toEqual([
      'C360_MASTER_KEYS must not repeat a key id. Give every key its own id.',
    ]);
  });

  it('requires provisioned keys in production instead of generating them', () => {
    const problems = problemsOf({ C360_ENV: 'production' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^C360_MASTER_KEYS must be set in production/);
    expect(problems[1]).toMatch(/^JWT_JWKS_FILE must be set in production/);
    const c = loadConfig({ NODE_ENV: 'production', C360_MASTER_KEYS: `k1:${key()}`, JWT_JWKS_FILE: 'keys/jwks.json' }, { cwd: '/srv' });
    expect(c.runMode).toBe('production');
    expect(c.jwt.jwksFile).toBe('/srv/keys/jwks.json');
    expect(c.jwt.generateLocalKeys).toBe(false);
  });

  it('checks settings against each other', () => {
    expect(problemsOf({ JWT_TTL: '2d', JWT_MAX_TTL: '1d' })).toEqual([
      'JWT_TTL must not exceed JWT_MAX_TTL. Lower JWT_TTL or raise JWT_MAX_TTL.',
    ]);
  });
});
