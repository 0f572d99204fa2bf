import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@c360/auth';
import { QueryScope, callerOf } from '../caller';
import type { Page } from '../paging/cursor';
import { ClientRateLimitGuard } from '../protection/client-rate-limit.guard';
import { SegmentsService, type ChurnFlagDto, type SegmentDto, type SegmentMemberDto, type ValueConcentrationDto } from '../segments/segments.service';
import { PROBLEM_SCHEMA } from './openapi-schemas';

@ApiTags('segments')
@ApiBearerAuth()
@ApiResponse({ status: 401, schema: PROBLEM_SCHEMA })
@ApiResponse({ status: 403, schema: PROBLEM_SCHEMA })
@UseGuards(ClientRateLimitGuard)
@Controller('v1')
export class SegmentsController {
  constructor(@Inject(SegmentsService) private readonly segments: SegmentsService) {}

  @Get('segments')
  @RequireScopes(QueryScope.Segments)
  @ApiOperation({ summary: 'Active segments (rules are data, versioned) with member counts' })
  @ApiOkResponse({ schema: { type: 'array', example: [{ segmentId: 'tier-top', version: 1, name: 'Top tier', description: '…', scope: null, members: 1021 }] } })
  list(): Promise<SegmentDto[]> {
    return this.segments.segments();
  }

  @Get('segments/value-concentration')
  @RequireScopes(QueryScope.Segments)
  @ApiOperation({ summary: 'How concentrated relationship value is: a Lorenz curve in 5% steps and the top-20% share (aggregates only)' })
  @ApiOkResponse({ schema: { type: 'object', example: { customers: 10000, totalValueMinor: 912345678900, top20Share: 0.83, curve: [{ x: 0, y: 0 }, { x: 0.05, y: 0.001 }, { x: 1, y: 1 }] } } })
  valueConcentration(): Promise<ValueConcentrationDto> {
    return this.segments.valueConcentration();
  }

  @Get('segments/:id/members')
  @RequireScopes(QueryScope.Segments)
  @ApiOperation({ summary: 'Members of a segment, by customer id, cursor paged' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiOkResponse({ schema: { type: 'object', example: { items: [{ customerId: 'C000123', since: '2026-11-02T09:30:00.000Z', ruleVersion: 1, reason: 'relationship value ≥ 6000000.00', tier: 'top', region: 'east' }], nextCursor: null } } })
  @ApiResponse({ status: 404, schema: PROBLEM_SCHEMA })
  members(@Param('id') id: string, @Query('cursor') cursor: string | undefined, @Query('limit') limit: string | undefined, @CurrentPrincipal() principal: Principal, @Req() req: { id?: unknown }): Promise<Page<SegmentMemberDto>> {
    return this.segments.members(id, { cursor, limit }, callerOf(principal, req.id));
  }

  @Get('churn-flags')
  @RequireScopes(QueryScope.Churn)
  @ApiTags('churn')
  @ApiOperation({ summary: 'Churn flags with reasons and evidence (default status=open), newest raised first' })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'cleared'] })
  @ApiQuery({ name: 'minScore', required: false, description: 'Customer churn risk score ≥ (0-100)' })
  @ApiQuery({ name: 'tier', required: false, enum: ['top', 'important', 'core', 'mass'] })
  @ApiQuery({ name: 'region', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiOkResponse({
    schema: {
      type: 'object',
      example: { items: [{ flagId: '0b0f…', customerId: 'C000123', code: 'manager-changed', status: 'open', reason: 'relationship manager changed (RM-17 → RM-40) for a top customer', evidenceEventIds: ['…'], since: '2026-11-01T09:00:00.000Z', raisedAt: '2026-11-01T09:00:02.000Z', clearedAt: null, riskScore: 35, tier: 'top', region: 'east' }], nextCursor: null },
    },
  })
  churnFlags(
    @Query('status') status: string | undefined,
    @Query('minScore') minScore: string | undefined,
    @Query('tier') tier: string | undefined,
    @Query('region') region: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @Query('limit') limit: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: { id?: unknown },
  ): Promise<Page<ChurnFlagDto>> {
    return this.segments.churnFlags({ status, minScore, tier, region, cursor, limit }, callerOf(principal, req.id));
  }
}
