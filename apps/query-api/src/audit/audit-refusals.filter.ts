import { Catch, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AuthError, AuthErrorCode, type AuthenticatedRequest } from '@c360/auth';
import { ProblemMappers, sendProblem, type ProblemReply } from '@c360/observability';
import { AuditService } from './audit.service';

interface RoutedRequest extends AuthenticatedRequest {
  id?: unknown;
  method?: string;
  routeOptions?: { url?: string };
}

/**
 * On ops and erasure routes: a caller with a valid token but without the scope is refused
 * (403) and the attempt is audited (who, which route — no customer data). Everything is then
 * answered by the one problem+json mapping.
 */
@Catch()
export class AuditRefusalsFilter implements ExceptionFilter {
  private readonly logger = new Logger('AuditRefusals');

  constructor(
    @Inject(ProblemMappers) private readonly mappers: ProblemMappers,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<RoutedRequest>();
    if (exception instanceof AuthError && exception.code === AuthErrorCode.InsufficientScope && request.principal) {
      const p = request.principal;
      const customerId = request.params?.['id'];
      await this.audit
        .record(
          { subject: p.subject, tokenId: p.tokenId ?? null, scopes: p.scopes, requestId: typeof request.id === 'string' ? request.id : null },
          {
            action: `denied:${request.method ?? '?'} ${request.routeOptions?.url ?? '?'}`,
            customerId: customerId !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(customerId) ? customerId : null,
            piiShown: false,
            outcome: 'denied',
            detail: { requiredScopes: [...exception.requiredScopes] },
          },
        )
        .catch(() => this.logger.warn('a refused ops attempt could not be audited'));
    }
    sendProblem(this.mappers, this.logger, exception, request, http.getResponse<ProblemReply>());
  }
}
