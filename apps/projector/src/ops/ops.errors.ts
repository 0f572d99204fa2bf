import type { ProblemResponse } from '@c360/observability';

/** Coded errors of the operator features (status, rebuilds, replay, verify). */
export enum OpsErrorCode {
  UnknownProjection = 'OPS_UNKNOWN_PROJECTION',
  RebuildInProgress = 'OPS_REBUILD_IN_PROGRESS',
  JobNotFound = 'OPS_JOB_NOT_FOUND',
  NothingToCancel = 'OPS_NOTHING_TO_CANCEL',
  InvalidRequest = 'OPS_INVALID_REQUEST',
  ReplayTopicRefused = 'OPS_REPLAY_TOPIC_REFUSED',
  KafkaNotConfigured = 'OPS_KAFKA_NOT_CONFIGURED',
}

export class OpsError extends Error {
  override readonly name = 'OpsError';
  constructor(
    readonly code: OpsErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

const STATUS: Record<OpsErrorCode, number> = {
  [OpsErrorCode.UnknownProjection]: 404,
  [OpsErrorCode.JobNotFound]: 404,
  [OpsErrorCode.RebuildInProgress]: 409,
  [OpsErrorCode.NothingToCancel]: 409,
  [OpsErrorCode.InvalidRequest]: 400,
  [OpsErrorCode.ReplayTopicRefused]: 400,
  [OpsErrorCode.KafkaNotConfigured]: 503,
};

const TITLE: Record<OpsErrorCode, string> = {
  [OpsErrorCode.UnknownProjection]: 'Unknown projection',
  [OpsErrorCode.JobNotFound]: 'Job not found',
  [OpsErrorCode.RebuildInProgress]: 'A rebuild of this projection is already running',
  [OpsErrorCode.NothingToCancel]: 'No rebuild to cancel',
  [OpsErrorCode.InvalidRequest]: 'Invalid request',
  [OpsErrorCode.ReplayTopicRefused]: 'Replay to this topic is refused',
  [OpsErrorCode.KafkaNotConfigured]: 'Kafka is not configured',
};

/** The one mapper of OpsError to problem+json (register it in the platform's PROBLEM_MAPPERS). */
export function opsErrorToProblem(error: unknown): ProblemResponse | undefined {
  if (!(error instanceof OpsError)) return undefined;
  return {
    problem: {
      type: `urn:c360:problem:${error.code}`,
      title: TITLE[error.code],
      status: STATUS[error.code],
      detail: error.message,
      code: error.code,
      ...error.details,
    },
  };
}
