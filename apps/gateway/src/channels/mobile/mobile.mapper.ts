import type { CanonicalEvent, Identity } from '@c360/contracts';
import type { MapperContext } from '../shared/mapper-context';
import type { MobileEvent, MobileEventBatch } from './mobile.payload';

export const MOBILE_SOURCE = { system: 'mobile-backend', channel: 'mobile' } as const;

/**
 * Maps one validated mobile batch onto canonical events, one per native event, in batch order.
 * Event ids derive from (user id, native event id), not from the batch id, so a retried event is
 * the same canonical event even when the back end re-batches it.
 * session.start → MobileSessionStarted; action → MobileActionPerformed; offer.impression →
 * OfferPresented; offer.response → OfferResponded; rating → SurveyAnswered (CSAT).
 */
export const toCanonical = (native: MobileEventBatch, ctx: MapperContext): CanonicalEvent[] => {
  const subject: { customerId: string } | { identity: Identity } =
    native.cif !== undefined ? { customerId: native.cif } : { identity: { scheme: 'mobile-user', value: native.userId } };
  const deviceId = native.device.id;

  const one = (e: MobileEvent): CanonicalEvent => {
    const envelope = {
      eventId: ctx.newId(`mobile/${native.userId}/${e.id}`),
      version: 1,
      occurredAt: e.at,
      source: MOBILE_SOURCE,
      ...subject,
    };
    switch (e.kind) {
      case 'session.start':
        return { ...envelope, type: 'MobileSessionStarted', data: { deviceId, appVersion: native.device.appVersion } };
      case 'action':
        return { ...envelope, type: 'MobileActionPerformed', data: { deviceId, action: e.action } };
      case 'offer.impression':
        return { ...envelope, type: 'OfferPresented', data: { offerId: e.offerId, product: e.product } };
      case 'offer.response':
        return { ...envelope, type: 'OfferResponded', data: { offerId: e.offerId, product: e.product, response: e.response } };
      case 'rating':
        return { ...envelope, type: 'SurveyAnswered', data: { kind: 'csat', score: e.stars } };
    }
  };
  return native.events.map(one);
};
