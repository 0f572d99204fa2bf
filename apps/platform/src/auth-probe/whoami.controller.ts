import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@c360/auth';

export class WhoAmIResponse {
  @ApiProperty({ example: 'svc-marketing' }) subject!: string;
  @ApiProperty({ example: ['customers:read'], type: [String] }) scopes!: string[];
  @ApiProperty({ example: '2026-11-28T15:00:00.000Z' }) expiresAt!: string;
}

/** Echoes the caller's verified identity: the simplest guarded route, handy to test a token. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1/whoami')
export class WhoAmIController {
  @Get()
  @ApiOperation({ summary: 'The subject and scopes of the presented bearer token' })
  @ApiOkResponse({ type: WhoAmIResponse })
  whoAmI(@CurrentPrincipal() principal: Principal): WhoAmIResponse {
    return { subject: principal.subject, scopes: [...principal.scopes].sort(), expiresAt: principal.expiresAt.toISOString() };
  }
}
