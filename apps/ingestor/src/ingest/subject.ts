import { createHash } from 'node:crypto';
import type { CanonicalEvent, Identity } from '@c360/contracts';

/** Hash of a channel identity: the ingestor never stores or logs the raw value (personal data). */
export const identityKey = (identity: Identity): string =>
  createHash('sha256').update(`${identity.scheme}:${identity.value}`).digest('hex');

/** Who an event is about, before resolution. */
export type Subject = { readonly kind: 'customer'; readonly customerId: string } | { readonly kind: 'identity'; readonly key: string; readonly identity: Identity };

export const subjectOf = (event: CanonicalEvent): Subject => {
  if (event.customerId !== undefined) return { kind: 'customer', customerId: event.customerId };
  const identity = event.identity ?? { scheme: 'customer-number', value: '' };
  // A customer number is the customer id itself: nothing to resolve.
  if (identity.scheme === 'customer-number') return { kind: 'customer', customerId: identity.value };
  return { kind: 'identity', key: identityKey(identity), identity };
};

/** Parking subjects: `customer:<id>` (behind a dead letter) or `identity:<hash>` (awaiting a link). */
export const customerSubject = (customerId: string): string => `customer:${customerId}`;
export const identitySubject = (key: string): string => `identity:${key}`;

/** The identities an identity-bearing event links to (or unlinks from) its customer. */
export const linksOf = (event: CanonicalEvent): { readonly link: readonly Identity[]; readonly unlink: readonly Identity[] } => {
  switch (event.type) {
    case 'ChannelIdentityLinked':
      return { link: [{ scheme: event.data.scheme, value: event.data.value }], unlink: [] };
    case 'ChannelIdentityUnlinked':
      return { link: [], unlink: [{ scheme: event.data.scheme, value: event.data.value }] };
    case 'CustomerRegistered':
      return {
        link: [
          { scheme: 'customer-number', value: event.data.customerNumber },
          { scheme: 'phone', value: event.data.phone },
          { scheme: 'national-id', value: event.data.nationalId },
        ],
        unlink: [],
      };
    case 'ContactDetailsChanged':
    case 'CustomersMerged':
    case 'CustomersUnmerged':
    case 'RelationshipManagerAssigned':
    case 'ProductOpened':
    case 'ProductClosed':
    case 'BalanceReported':
    case 'MoneyMoved':
    case 'BranchVisited':
    case 'MobileSessionStarted':
    case 'MobileActionPerformed':
    case 'CallHandled':
    case 'ComplaintRaised':
    case 'ComplaintResolved':
    case 'SurveyAnswered':
    case 'OfferPresented':
    case 'OfferResponded':
      return { link: [], unlink: [] };
  }
};
