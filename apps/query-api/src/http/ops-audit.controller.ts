import { Controller, Get, Inject, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@c360/auth';
import { AuditRefusalsFilter } from '../audit/audit-refusals.filter';
import { OpsAuditService, type AuditQueryParams } from '../audit/ops-audit.service';
import { QueryScope, callerOf } from '../caller';
import type { Page } from '../paging/cursor';
import type { AuditRecord } from '../persistence/audit-log.repository';
import { ClientRateLimitGuard } from '../protection/client-rate-limit.guard';
import { PROBLEM_SCHEMA } from './openapi-schemas';

@ApiTags('ops')
@ApiBearerAuth()
@UseGuards(ClientRateLimitGuard)
@UseFilters(AuditRefusalsFilter)
@Controller('v1/ops')
export class OpsAuditController {
  constructor(@Inject(OpsAuditService) private readonly audit: OpsAuditService) {}

  @Get('audit')
  @RequireScopes(QueryScope.Ops)
  @ApiOperation({ summary: 'The audit log of customer-data access, newest first (operators: ops:read)', description: 'Refused attempts by non-ops callers are audited as `denied`.' })
  @ApiQuery({ name: 'customerId', required: false })
  @ApiQuery({ name: 'client', required: false })
  @ApiQuery({ name: 'action', required: false, example: 'customer.view' })
  @ApiQuery({ name: 'outcome', required: false, example: 'denied' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiOkResponse({
    schema: {
      type: 'object',
      example: {
        items: [{ id: '912', at: '2026-11-28T09:30:00.120Z', requestId: 'b1f…', client: 'rm-desktop', tokenId: '…', action: 'customer.view', customerId: 'C000123', fields: ['profile', 'products'], piiShown: false, outcome: 'ok', detail: { view: 'live', personalData: 'masked' } }],
        nextCursor: null,
      },
    },
  })
  @ApiResponse({ status: 403, schema: PROBLEM_SCHEMA })
  find(@Query() query: AuditQueryParams, @CurrentPrincipal() principal: Principal, @Req() req: { id?: unknown }): Promise<Page<AuditRecord>> {
    return this.audit.find(query, callerOf(principal, req.id));
  }
}
