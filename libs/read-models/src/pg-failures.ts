import { EventStoreErrorCode, isEventStoreError } from '@c360/event-store';
import { isFencedError, type FailureKind } from '@c360/projections';

/** SQLSTATEs worth retrying: connection loss, server shutdown, serialisation, deadlock, timeouts. */
const TRANSIENT_SQLSTATE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '25P03', // idle_in_transaction_session_timeout
  '08000', '08003', '08006', '08001', '08004',
]);

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'terminating connection',
  'Connection is not established',
  'the database system is',
];

const codeOf = (e: unknown): string | undefined => {
  if (typeof e !== 'object' || e === null) return undefined;
  const direct = (e as { code?: unknown }).code;
  if (typeof direct === 'string') return direct;
  const driver = (e as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof driver === 'string' ? driver : undefined;
};

/** Classifies a failure met while projecting (TypeORM wraps pg errors; the event store codes its own). */
export function classifyPostgresFailure(e: unknown): FailureKind {
  if (isFencedError(e)) return 'fenced';
  if (isEventStoreError(e)) return e.code === EventStoreErrorCode.Unavailable ? 'transient' : 'fatal';
  const code = codeOf(e);
  if (code !== undefined && (TRANSIENT_SQLSTATE.has(code) || TRANSIENT_NODE_CODES.has(code) || code.startsWith('08'))) return 'transient';
  const message = e instanceof Error ? e.message : String(e);
  if (TRANSIENT_MESSAGES.some((m) => message.includes(m))) return 'transient';
  const cause = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  return cause !== undefined && cause !== e ? classifyPostgresFailure(cause) : 'fatal';
}
