import { Catch, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE } from './problem-details';
import { ProblemMappers } from './problem-mappers';

/** The slice of a Fastify reply and request the filter uses. */
export interface ProblemReply {
  sent: boolean;
  status(code: number): ProblemReply;
  header(name: string, value: string): ProblemReply;
  send(payload: string): unknown;
}
interface ProblemRequest {
  id?: unknown;
}

/**
 * Every error that leaves a handler becomes RFC 9457 problem+json: mapped by the module that
 * owns it, or a generic problem. 5xx are logged with their stack; bodies never carry one.
 */
@Catch()
export class ProblemJsonFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(@Inject(ProblemMappers) private readonly mappers: ProblemMappers) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(this.mappers, this.logger, exception, http.getRequest<ProblemRequest>(), http.getResponse<ProblemReply>());
  }
}

export function sendProblem(mappers: ProblemMappers, logger: Logger, exception: unknown, request: ProblemRequest, reply: ProblemReply): void {
  const { problem, headers } = mappers.toProblem(exception);
  const requestId = typeof request.id === 'string' ? request.id : undefined;
  if (problem.status >= 500) logger.error({ err: exception, requestId }, 'request failed');
  if (reply.sent) return;
  reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE);
  for (const [name, value] of Object.entries(headers ?? {})) reply.header(name, value);
  reply.send(JSON.stringify(requestId ? { ...problem, requestId } : problem));
}
