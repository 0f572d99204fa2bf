import { SetMetadata } from '@nestjs/common';

export const REQUIRED_SCOPES = 'c360:required-scopes';
export const PUBLIC_ROUTE = 'c360:public-route';

/**
 * The scopes a route needs (all of them). A `{param}` placeholder is filled from the route
 * parameters, so `@RequireScopes('channel:{channel}:write')` on `/v1/channels/:channel/events`
 * lets a channel's credential post only to its own channel.
 */
export const RequireScopes = (...scopes: string[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPES, scopes);

/** Opts a route out of authentication (health, metrics, docs). Every other route needs a valid token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
