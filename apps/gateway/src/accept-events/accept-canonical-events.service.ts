import { Inject, Injectable } from '@nestjs/common';
import { validateCanonicalEvent } from '@c360/contracts';
import type { ItemFieldError } from '../gateway.errors';
import { GatewayMetrics } from '../gateway-metrics';
import { itemErrors, requestItems } from './request-items';
import { SubmitEvents, type AcceptedEvents } from './submit-events';

/** Use case: a source system (core banking…) posts canonical events; each is validated against the catalogue. */
@Injectable()
export class AcceptCanonicalEvents {
  constructor(
    @Inject(SubmitEvents) private readonly submitter: SubmitEvents,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {}

  async accept(body: unknown): Promise<AcceptedEvents> {
    const route = 'events';
    let req;
    try {
      req = requestItems(body);
    } catch (e) {
      this.metrics.rejected(route, e);
      throw e;
    }
    const errors: ItemFieldError[] = [];
    const mapped = req.items.flatMap((item, index) => {
      const v = validateCanonicalEvent(item);
      if (!v.ok) {
        errors.push(...itemErrors(req, index, v.errors));
        return [];
      }
      return [{ index, event: v.event }];
    });
    return this.submitter.submit(route, req, mapped, errors);
  }
}
