import type { ApiResponseNoStatusOptions } from '@nestjs/swagger';

type SchemaObject = NonNullable<Extract<ApiResponseNoStatusOptions, { schema?: unknown }>['schema']>;
import type { AcceptedEvents } from '../accept-events/submit-events';

/** The 202 body: what was accepted, and a token for read-your-writes. */
export interface AcceptedResponse {
  readonly accepted: number;
  readonly events: readonly { readonly eventId: string; readonly type: string; readonly item: number }[];
  readonly consistencyToken: string;
}

export const toAcceptedResponse = (a: AcceptedEvents): AcceptedResponse => ({
  accepted: a.events.length,
  events: a.events.map((e) => ({ eventId: e.eventId, type: e.type, item: e.index })),
  consistencyToken: a.consistencyToken,
});

export const ACCEPTED_RESPONSE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['accepted', 'events', 'consistencyToken'],
  properties: {
    accepted: { type: 'integer', description: 'How many canonical events were accepted.' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          eventId: { type: 'string', format: 'uuid', description: 'The idempotency key: re-sending it is harmless.' },
          type: { type: 'string' },
          item: { type: 'integer', description: 'Index of the request item it came from.' },
        },
      },
    },
    consistencyToken: {
      type: 'string',
      description:
        'Read-your-writes token: `kafka:<topic>:<partition>@<baseOffset>,…` (Kafka) or `store:<position>` (all-in-one).',
    },
  },
};

export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json).',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', example: 'invalid_events' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer', description: 'Item of the batch (0 for a single object).' },
          path: { type: 'string', description: 'JSON pointer into the body, e.g. /2/data/amountMinor.' },
          code: { type: 'string', example: 'not-integer' },
          message: { type: 'string' },
        },
      },
    },
  },
};
