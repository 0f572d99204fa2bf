import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaConnectionOptions {
  /** host:port list. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Default 3 s. */
  readonly connectionTimeoutMs?: number;
  /** Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Where kafkajs' own log lines go; default: warnings and errors to stderr as one JSON line. */
  readonly log?: (
    level: 'error' | 'warn' | 'info' | 'debug',
    message: string,
    extra: Record<string, unknown>,
  ) => void;
}

const levelName = (l: logLevel): 'error' | 'warn' | 'info' | 'debug' =>
  l === logLevel.ERROR || l === logLevel.NOTHING
    ? 'error'
    : l === logLevel.WARN
      ? 'warn'
      : l === logLevel.INFO
        ? 'info'
        : 'debug';

/**
 * kafkajs says this of every idempotent producer with a retry limit. KafkaPublisher retires its
 * producer (id and sequence numbers) after any failed send, which is what keeps the guarantee, so
 * the line would only alarm operators at each producer start.
 */
const IDEMPOTENT_RETRY_LIMIT_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

export function createKafka(o: KafkaConnectionOptions): Kafka {
  const sink =
    o.log ??
    ((level, message, extra): void => {
      if (level === 'error' || level === 'warn')
        process.stderr.write(
          `${JSON.stringify({ level, logger: 'kafkajs', message, ...extra })}\n`,
        );
    });
  return new Kafka({
    clientId: o.clientId ?? 'c360',
    brokers: [...o.brokers],
    connectionTimeout: o.connectionTimeoutMs ?? 3000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    // Reconnect quickly after a broker restart; the adapters retry around this too.
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry): void => {
        const { message, timestamp: _t, logger: _l, ...extra } = log;
        if (message === IDEMPOTENT_RETRY_LIMIT_WARNING) return;
        sink(levelName(level), String(message), extra);
      },
  });
}
