export { HealthController, type HealthBody } from './health/health.controller';
export { HealthModule } from './health/health.module';
export { ReadinessRegistry, type IndicatorOutcome, type IndicatorState, type ReadinessIndicator } from './health/readiness.registry';
export { LoggingModule } from './logging/logging.module';
export { assignRequestId, REQUEST_ID_HEADER } from './logging/request-id';
export { registerHttpMetrics } from './metrics/http-metrics';
export { MetricsModule } from './metrics/metrics.module';
export { createMetricsRegistry, METRICS_REGISTRY } from './metrics/metrics.registry';
export { defaultProblem } from './problem/default-problems';
export { codedProblem, PROBLEM_CONTENT_TYPE, problemType, type CodedProblemInput, type FieldError, type ProblemDetails, type ProblemMapper, type ProblemResponse } from './problem/problem-details';
export { ProblemJsonFilter, sendProblem, type ProblemReply } from './problem/problem-json.filter';
export { ProblemMappers } from './problem/problem-mappers';
export { ProblemModule } from './problem/problem.module';
export { logDestination, setLogDestination } from './logging/log-destination';
export { childTraceContext, formatTraceparent, newTraceContext, parseTraceparent, TRACEPARENT_HEADER, type TraceContext } from './tracing/traceparent';
export {
  CORRELATION_ID_HEADER,
  currentTraceScope,
  runInTraceScope,
  safeCorrelationId,
  STORED_TRACE_KEY,
  toStoredTrace,
  traceHeaders,
  traceLogFields,
  traceScopeFromHeaders,
  traceScopeFromMetadata,
  type StoredTrace,
  type TraceScope,
} from './tracing/trace-scope';
export { requestTraceScope, traceContextMiddleware, TRACERESPONSE_HEADER } from './tracing/trace-middleware';
