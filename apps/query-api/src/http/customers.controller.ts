import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@c360/auth';
import { AuditRefusalsFilter } from '../audit/audit-refusals.filter';
import { QueryScope, callerOf } from '../caller';
import type { LookupResultDto, TimelinePageDto } from '../customers/customer-view.dto';
import { CustomerViewService, matchesIfNoneMatch } from '../customers/customer-view.service';
import { LookupService, TimelineService } from '../customers/timeline.service';
import { ErasureService, type ErasureOutcomeDto, type RetentionDto } from '../erasure/erasure.service';
import { ClientRateLimitGuard } from '../protection/client-rate-limit.guard';
import { CUSTOMER_VIEW_SCHEMA, ERASURE_SCHEMA, LOOKUP_SCHEMA, PROBLEM_SCHEMA, TIMELINE_SCHEMA } from './openapi-schemas';

interface RequestWithId {
  id?: unknown;
}
interface HeaderReply {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
}

const CONSISTENCY_HEADER = 'x-consistency-token';

/**
 * The customer read side. Fastify paths: `customers::lookup` is the literal `customers:lookup`
 * (`::` escapes a colon in find-my-way), and `:id(^[^:/]+)::erase` is the parameter (a regex
 * stops it at the colon) followed by the literal `:erase`.
 */
@ApiTags('customers')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No or invalid token.', schema: PROBLEM_SCHEMA })
@ApiResponse({ status: 403, description: 'The token lacks the scope.', schema: PROBLEM_SCHEMA })
@ApiResponse({ status: 429, description: 'This client exceeded its rate limit (Retry-After).', schema: PROBLEM_SCHEMA })
@UseGuards(ClientRateLimitGuard)
@Controller('v1')
export class CustomersController {
  constructor(
    @Inject(CustomerViewService) private readonly views: CustomerViewService,
    @Inject(TimelineService) private readonly timelines: TimelineService,
    @Inject(LookupService) private readonly lookups: LookupService,
    @Inject(ErasureService) private readonly erasures: ErasureService,
  ) {}

  @Get('customers::lookup')
  @RequireScopes(QueryScope.Read)
  @ApiOperation({ summary: 'Find customers by a channel identity', description: 'The identity value is never logged or audited; the audit records the scheme and the customers found.' })
  @ApiQuery({ name: 'channel', description: 'Identity scheme', enum: ['customer-number', 'mobile-user', 'phone', 'card', 'national-id'], example: 'mobile-user' })
  @ApiQuery({ name: 'id', description: 'Identity value (E.164 for phone)', example: 'mu-88231' })
  @ApiOkResponse({ schema: LOOKUP_SCHEMA })
  @ApiResponse({ status: 404, schema: PROBLEM_SCHEMA })
  lookup(@Query('channel') channel: string | undefined, @Query('id') id: string | undefined, @CurrentPrincipal() principal: Principal, @Req() req: RequestWithId): Promise<LookupResultDto> {
    return this.lookups.lookup(channel, id, callerOf(principal, req.id));
  }

  @Get('customers/:id')
  @RequireScopes(QueryScope.Read)
  @ApiOperation({
    summary: 'The customer-360 view',
    description:
      'Live from the read model, or as it was (`asOf`: events that had occurred by then) or as the bank knew it (`knownAt`: events recorded by then), folded from the event stream. ' +
      'Personal data is masked without customers:read-pii. Send `X-Consistency-Token` (from a 202) to read your own writes. Every read is audited.',
  })
  @ApiParam({ name: 'id', example: 'C000123' })
  @ApiQuery({ name: 'asOf', required: false, example: '2026-10-01T00:00:00Z' })
  @ApiQuery({ name: 'knownAt', required: false, example: '2026-10-01T00:00:00Z' })
  @ApiQuery({ name: 'consistency', required: false, description: 'Same as the X-Consistency-Token header.', example: 'store:1042' })
  @ApiHeader({ name: 'X-Consistency-Token', required: false, description: 'Wait (bounded) until the projection reached this token; 503 + Retry-After if not.' })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiOkResponse({ schema: CUSTOMER_VIEW_SCHEMA, headers: { ETag: { schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'Not modified (ETag matched).' })
  @ApiResponse({ status: 400, description: 'Bad asOf/knownAt/consistency token.', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 404, description: 'No such customer (or it did not exist yet at that time).', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 503, description: 'Not yet consistent, or the read could not be audited (Retry-After).', schema: PROBLEM_SCHEMA })
  async view(
    @Param('id') id: string,
    @Query('asOf') asOf: string | undefined,
    @Query('knownAt') knownAt: string | undefined,
    @Query('consistency') consistency: string | undefined,
    @Headers(CONSISTENCY_HEADER) consistencyHeader: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: RequestWithId,
    @Res({ passthrough: true }) reply: HeaderReply,
  ): Promise<string | undefined> {
    const { body, etag } = await this.views.view(id, { asOf, knownAt, consistencyToken: consistencyHeader ?? consistency }, callerOf(principal, req.id));
    reply.header('etag', etag);
    reply.header('cache-control', 'private, no-cache');
    reply.header('vary', 'Authorization');
    if (matchesIfNoneMatch(ifNoneMatch, etag)) {
      reply.status(304);
      return undefined;
    }
    // Already JSON (serialised once, with the ETag): sent as is, not serialised again.
    reply.header('content-type', 'application/json; charset=utf-8');
    return body;
  }

  @Get('customers/:id/timeline')
  @RequireScopes(QueryScope.Read)
  @ApiOperation({ summary: 'Interactions and events, newest first, cursor paged (complete: read from the event stream)' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, example: 50, description: '1-200, default 50' })
  @ApiOkResponse({ schema: TIMELINE_SCHEMA })
  @ApiResponse({ status: 404, schema: PROBLEM_SCHEMA })
  timeline(
    @Param('id') id: string,
    @Query('cursor') cursor: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('consistency') consistency: string | undefined,
    @Headers(CONSISTENCY_HEADER) consistencyHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() req: RequestWithId,
  ): Promise<TimelinePageDto> {
    return this.timelines.page(id, { cursor, limit, consistencyToken: consistencyHeader ?? consistency }, callerOf(principal, req.id));
  }

  @Post('customers/:id(^[^:/]+)::erase')
  @HttpCode(200)
  @RequireScopes(QueryScope.Erase)
  @UseFilters(AuditRefusalsFilter)
  @ApiOperation({
    summary: 'Erase a customer’s personal data (crypto-shredding), honouring legal retention',
    description:
      'Without a retention in force: destroys the key, re-folds the read models (fields show {"erased":true}) → `erased`. During a retention: restricts personal data to customers:read-restricted at once and destroys the key when it ends → `restricted-until`. Refused attempts are audited.',
  })
  @ApiParam({ name: 'id', example: 'C000123' })
  @ApiBody({ schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', example: 'GDPR art. 17 request 2026-118' } } } })
  @ApiOkResponse({ schema: ERASURE_SCHEMA })
  @ApiResponse({ status: 404, schema: PROBLEM_SCHEMA })
  erase(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: RequestWithId): Promise<ErasureOutcomeDto> {
    return this.erasures.erase(id, body, callerOf(principal, req.id));
  }

  @Put('customers/:id/retention')
  @RequireScopes(QueryScope.ReadRestricted)
  @UseFilters(AuditRefusalsFilter)
  @ApiOperation({ summary: 'Set a legal retention (compliance: customers:read-restricted)', description: 'E.g. AML record keeping until a date. Erasure requested before then restricts access and waits.' })
  @ApiBody({ schema: { type: 'object', required: ['basis', 'retainUntil'], properties: { basis: { type: 'string', example: 'aml' }, retainUntil: { type: 'string', example: '2031-06-30T00:00:00Z' } } } })
  @ApiOkResponse({ schema: { type: 'object', example: { customerId: 'C000123', basis: 'aml', retainUntil: '2031-06-30T00:00:00.000Z' } } })
  setRetention(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() req: RequestWithId): Promise<RetentionDto> {
    return this.erasures.setRetention(id, body, callerOf(principal, req.id));
  }
}
