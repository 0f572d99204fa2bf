import type { JsonObject, Upcaster } from '../json';
import type { SchemaClass } from '../validation/schema-decorators';
import { PERSONAL_FIELDS, type CanonicalEvent, type CanonicalEventType } from './catalogue.v1';
import { EXAMPLES_V1 } from './examples.v1';
import * as v1 from './schemas.v1';

/**
 * Everything known about one event type. Versioning rule: a published `*.v1.ts` is never edited.
 * To change a shape, add `schemas.v2.ts` (and the v2 type), set `currentVersion: 2`, keep
 * `schemas[1]` so old producers still validate, and add `upcasters[1]` (v1 data → v2 data) with a
 * round-trip test. Stored events keep their version; readers upcast on read.
 */
export interface EventCatalogueEntry<T extends string = string> {
  readonly type: T;
  readonly currentVersion: number;
  readonly description: string;
  /** Top-level `data` fields holding personal data (encrypted at rest, erasable, masked on read). */
  readonly personalFields: readonly string[];
  /** `upcasters[v]` turns version v data into version v + 1, for every v < currentVersion. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /** Schema of the current version. */
  readonly schema: SchemaClass;
  /** Schemas of every version still accepted on input, by version number. */
  readonly schemas: Readonly<Record<number, SchemaClass>>;
  /** A valid event of the current version. */
  readonly example: CanonicalEventLike;
}

/** Any catalogue, e.g. the production one or a test one with a v2. */
export type EventCatalogue = Readonly<Record<string, EventCatalogueEntry>>;

/** The envelope, for any catalogue. `CanonicalEvent` is its precise form for the v1 catalogue. */
export interface CanonicalEventLike {
  readonly eventId: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly source: { readonly system: string; readonly channel?: string };
  readonly customerId?: string;
  readonly identity?: { readonly scheme: string; readonly value: string };
  readonly data: object;
}

const v1Entry = <T extends CanonicalEventType>(
  type: T,
  schema: SchemaClass,
  description: string,
): EventCatalogueEntry<T> & { readonly example: CanonicalEvent<T> } => ({
  type,
  currentVersion: 1,
  description,
  personalFields: PERSONAL_FIELDS[type],
  upcasters: {},
  schema,
  schemas: { 1: schema },
  example: EXAMPLES_V1[type],
});

/** The whole canonical catalogue: one place, used by the gateway, the ingestor, the store and the docs. */
export const EVENT_CATALOGUE: {
  readonly [T in CanonicalEventType]: EventCatalogueEntry<T> & { readonly example: CanonicalEvent<T> };
} = {
  CustomerRegistered: v1Entry('CustomerRegistered', v1.CustomerRegisteredV1Schema, 'A customer was registered (onboarded) under a customer number (CIF).'),
  ContactDetailsChanged: v1Entry('ContactDetailsChanged', v1.ContactDetailsChangedV1Schema, 'Phone, email or address changed; absent fields are unchanged.'),
  ChannelIdentityLinked: v1Entry('ChannelIdentityLinked', v1.ChannelIdentityLinkedV1Schema, 'A channel identity (mobile user, phone, card token, ...) now points at this customer.'),
  ChannelIdentityUnlinked: v1Entry('ChannelIdentityUnlinked', v1.ChannelIdentityUnlinkedV1Schema, 'A channel identity no longer points at this customer.'),
  CustomersMerged: v1Entry('CustomersMerged', v1.CustomersMergedV1Schema, 'Two customer records were found to be one customer; mergedId folds into survivorId.'),
  CustomersUnmerged: v1Entry('CustomersUnmerged', v1.CustomersUnmergedV1Schema, 'A merge was undone.'),
  RelationshipManagerAssigned: v1Entry('RelationshipManagerAssigned', v1.RelationshipManagerAssignedV1Schema, 'The customer has a new relationship manager (previous one, or null for the first).'),
  ProductOpened: v1Entry('ProductOpened', v1.ProductOpenedV1Schema, 'An account or product was opened.'),
  ProductClosed: v1Entry('ProductClosed', v1.ProductClosedV1Schema, 'An account or product was closed, with the reason.'),
  BalanceReported: v1Entry('BalanceReported', v1.BalanceReportedV1Schema, 'End-of-day (or as-of) balance of a product, in minor units; may be negative.'),
  MoneyMoved: v1Entry('MoneyMoved', v1.MoneyMovedV1Schema, 'Money moved in or out of a product; amount positive in minor units, direction gives the sign.'),
  BranchVisited: v1Entry('BranchVisited', v1.BranchVisitedV1Schema, 'The customer was served at a branch counter, with the queue wait.'),
  MobileSessionStarted: v1Entry('MobileSessionStarted', v1.MobileSessionStartedV1Schema, 'The customer started a mobile app session.'),
  MobileActionPerformed: v1Entry('MobileActionPerformed', v1.MobileActionPerformedV1Schema, 'The customer did something notable in the mobile app.'),
  CallHandled: v1Entry('CallHandled', v1.CallHandledV1Schema, 'A call-centre call ended, with reason, outcome, duration and sentiment (-1..1).'),
  ComplaintRaised: v1Entry('ComplaintRaised', v1.ComplaintRaisedV1Schema, 'The customer raised a complaint through a channel.'),
  ComplaintResolved: v1Entry('ComplaintResolved', v1.ComplaintResolvedV1Schema, 'A complaint was resolved.'),
  SurveyAnswered: v1Entry('SurveyAnswered', v1.SurveyAnsweredV1Schema, 'The customer answered a survey: NPS 0..10 or CSAT 1..5.'),
  OfferPresented: v1Entry('OfferPresented', v1.OfferPresentedV1Schema, 'An offer was presented to the customer.'),
  OfferResponded: v1Entry('OfferResponded', v1.OfferRespondedV1Schema, 'The customer accepted or declined an offer.'),
};

export const CANONICAL_EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as CanonicalEventType[];

/** Shape-compatible with the event store's `EventTypeDefinition`; the caller builds the registry. */
export interface EventTypeDefinitionLike {
  readonly type: string;
  readonly currentVersion: number;
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  readonly personalFields?: readonly string[];
}

/** The catalogue as event-type definitions, e.g. `new EventTypeRegistry(eventTypeDefinitions())`. */
export const eventTypeDefinitions = (catalogue: EventCatalogue = EVENT_CATALOGUE): EventTypeDefinitionLike[] =>
  Object.values(catalogue).map((e) => ({
    type: e.type,
    currentVersion: e.currentVersion,
    upcasters: e.upcasters,
    personalFields: e.personalFields,
  }));

export const isKnownEventType = (catalogue: EventCatalogue, type: string): boolean => Object.hasOwn(catalogue, type);

/**
 * Brings `data` of `fromVersion` up to the entry's current version by applying its upcasters in
 * order (the same rule the event store applies on read). Throws on a version it cannot bridge.
 */
export const upcastData = (entry: EventCatalogueEntry, fromVersion: number, data: JsonObject): JsonObject => {
  if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > entry.currentVersion) {
    throw new RangeError(`${entry.type}: cannot upcast from version ${fromVersion}`);
  }
  let out = data;
  for (let v = fromVersion; v < entry.currentVersion; v++) {
    const up = entry.upcasters[v];
    if (!up) throw new RangeError(`${entry.type}: no upcaster from version ${v}`);
    out = up(out);
  }
  return out;
};
