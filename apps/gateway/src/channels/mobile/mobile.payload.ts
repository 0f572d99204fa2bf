/**
 * The mobile channel's NATIVE payload: a batch of analytics/activity events as a mobile banking
 * back end forwards them, keyed by the app's user id and the device. Each event carries its own
 * client-generated id (stable across retries of the batch) and the time it happened.
 * Event kinds:
 *  - `session.start` — the app opened a session (after login / biometric unlock);
 *  - `action` — a notable action, named like `transfer.submit`, `card.freeze`, `statement.download`;
 *  - `offer.impression` / `offer.response` — a personalised offer was shown / answered;
 *  - `rating` — the in-app "rate your experience" prompt (1–5 stars).
 * `cif` is present when the back end already knows the customer number of the logged-in user.
 */
import {
  DateTimeField,
  guardJson,
  IdentifierField,
  IntegerField,
  NestedField,
  OneOfField,
  TextField,
  validateSchema,
  type FieldError,
  type SchemaClass,
  type Validated,
} from '@c360/contracts';
import { Field } from '@c360/contracts';
import { validateVariant, type NativeValidationOptions } from '../shared/native-validation';

export const MOBILE_PLATFORMS = ['ios', 'android', 'harmonyos'] as const;
export const MAX_MOBILE_EVENTS = 100;

export class MobileDevice {
  /** Install-scoped device id issued by the back end (not a hardware id). */
  @IdentifierField({ maxLength: 128 }) id!: string;
  @OneOfField(MOBILE_PLATFORMS) platform!: (typeof MOBILE_PLATFORMS)[number];
  @IdentifierField({ maxLength: 32 }) appVersion!: string;
  @IdentifierField({ optional: true, maxLength: 32 }) osVersion?: string;
}

abstract class MobileEventBase {
  /** Client-generated, unique per user; the same on every retry. */
  @IdentifierField({ maxLength: 64 }) id!: string;
  @DateTimeField() at!: string;
}

export class MobileSessionStart extends MobileEventBase {
  @OneOfField(['session.start']) kind!: 'session.start';
  @IdentifierField({ maxLength: 64 }) sessionId!: string;
}

export class MobileAction extends MobileEventBase {
  @OneOfField(['action']) kind!: 'action';
  @IdentifierField({ maxLength: 64 }) sessionId!: string;
  /** Dotted action name, e.g. `transfer.submit`. */
  @IdentifierField() action!: string;
  @IdentifierField({ optional: true }) screen?: string;
}

export class MobileOfferImpression extends MobileEventBase {
  @OneOfField(['offer.impression']) kind!: 'offer.impression';
  @IdentifierField() offerId!: string;
  @TextField(100) product!: string;
}

export class MobileOfferResponse extends MobileEventBase {
  @OneOfField(['offer.response']) kind!: 'offer.response';
  @IdentifierField() offerId!: string;
  @TextField(100) product!: string;
  @OneOfField(['accepted', 'declined']) response!: 'accepted' | 'declined';
}

export class MobileRating extends MobileEventBase {
  @OneOfField(['rating']) kind!: 'rating';
  @IntegerField({ min: 1, max: 5 }) stars!: number;
}

export type MobileEvent = MobileSessionStart | MobileAction | MobileOfferImpression | MobileOfferResponse | MobileRating;

const MOBILE_EVENT_SCHEMAS: Readonly<Record<MobileEvent['kind'], SchemaClass>> = {
  'session.start': MobileSessionStart,
  action: MobileAction,
  'offer.impression': MobileOfferImpression,
  'offer.response': MobileOfferResponse,
  rating: MobileRating,
};

const checkEventList = (value: unknown): { code: string; message: string } | null => {
  if (!Array.isArray(value)) return { code: 'not-array', message: 'must be an array of events' };
  if (value.length === 0) return { code: 'empty', message: 'must hold at least one event' };
  if (value.length > MAX_MOBILE_EVENTS) return { code: 'too-many-items', message: `must hold at most ${MAX_MOBILE_EVENTS} events` };
  return null;
};

export class MobileEventBatch {
  /** The back end's id for this delivery (tracing only; event ids make retries idempotent). */
  @IdentifierField({ maxLength: 64 }) batchId!: string;
  /** The app's user id (the `mobile-user` identity). */
  @IdentifierField({ maxLength: 64 }) userId!: string;
  @IdentifierField({ optional: true, maxLength: 32 }) cif?: string;
  @NestedField(() => MobileDevice) device!: MobileDevice;
  @DateTimeField() sentAt!: string;
  /** Validated item by item by kind (see validateMobilePayload). */
  @Field(checkEventList) events!: MobileEvent[];
}

/** Validates a native mobile batch: the header, then each event by its `kind`, then id uniqueness. */
export const validateMobilePayload = (input: unknown, options: NativeValidationOptions = {}): Validated<MobileEventBatch> => {
  const guardErrors = guardJson(input);
  if (guardErrors.length > 0) return { ok: false, errors: guardErrors };
  const header = validateSchema(MobileEventBatch, input, { guarded: true, fastPath: options.fastPath !== false });
  const errors: FieldError[] = header.ok ? [] : [...header.errors];
  const rawEvents = (input as Record<string, unknown> | null)?.['events'];
  const events: MobileEvent[] = [];
  if (Array.isArray(rawEvents) && !errors.some((e) => e.path === '/events')) {
    const seen = new Map<string, number>();
    rawEvents.forEach((raw: unknown, i) => {
      const item = validateVariant<MobileEvent>(raw, 'kind', MOBILE_EVENT_SCHEMAS, `/events/${i}`, options);
      if (!item.ok) {
        errors.push(...item.errors);
        return;
      }
      const first = seen.get(item.value.id);
      if (first !== undefined) {
        errors.push({ path: `/events/${i}/id`, code: 'duplicate-id', message: `repeats the id of /events/${first}` });
      } else seen.set(item.value.id, i);
      events.push(item.value);
    });
  }
  if (errors.length > 0 || !header.ok) return { ok: false, errors };
  return { ok: true, value: { ...header.value, events } };
};

export const MOBILE_EXAMPLE: MobileEventBatch = {
  batchId: 'b-20261102-201500-7731',
  userId: 'mu-8f2c41',
  device: { id: 'dev-3c9e77a1', platform: 'ios', appVersion: '7.4.1', osVersion: '18.1' },
  sentAt: '2026-11-02T20:18:30Z',
  events: [
    { id: 'e-5b1d0c', kind: 'session.start', at: '2026-11-02T20:15:03.120Z', sessionId: 's-91ac' },
    { id: 'e-5b1d0d', kind: 'action', at: '2026-11-02T20:16:40Z', sessionId: 's-91ac', action: 'transfer.submit', screen: 'transfer-confirm' },
    { id: 'e-5b1d0e', kind: 'offer.impression', at: '2026-11-02T20:17:00Z', offerId: 'OF-2026-Q4-07', product: 'Platinum credit card' },
    { id: 'e-5b1d0f', kind: 'offer.response', at: '2026-11-02T20:18:10Z', offerId: 'OF-2026-Q4-07', product: 'Platinum credit card', response: 'accepted' },
    { id: 'e-5b1d10', kind: 'rating', at: '2026-11-02T20:18:20Z', stars: 5 },
  ],
};
