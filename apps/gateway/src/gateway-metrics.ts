import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@c360/observability';
import { GatewayError } from './gateway.errors';

/** `channel:<name>` or `events` (canonical). */
export type Route = string;

/** c360_gateway_events_accepted_total and c360_gateway_requests_rejected_total{code}. */
@Injectable()
export class GatewayMetrics {
  private readonly acceptedTotal: Counter<'route'>;
  private readonly rejectedTotal: Counter<'route' | 'code'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.acceptedTotal = new Counter({
      name: 'c360_gateway_events_accepted_total',
      help: 'Events answered 202 (durably handed to Kafka, or to the store in all-in-one mode).',
      labelNames: ['route'],
      registers: [registry],
    });
    this.rejectedTotal = new Counter({
      name: 'c360_gateway_requests_rejected_total',
      help: 'Requests refused by the gateway, by problem code.',
      labelNames: ['route', 'code'],
      registers: [registry],
    });
  }

  accepted(route: Route, events: number): void {
    this.acceptedTotal.inc({ route }, events);
  }

  rejected(route: Route, error: unknown): void {
    this.rejectedTotal.inc({ route, code: error instanceof GatewayError ? error.code : 'other' });
  }
}
