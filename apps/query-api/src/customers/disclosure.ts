import { QueryScope, type Caller } from '../caller';
import type { Disclosure } from './customer-view.dto';

/**
 * How much personal data a caller sees:
 * - a customer under restriction (erasure requested during a legal retention): clear to
 *   `customers:read-restricted` (compliance) only, withheld from everyone else;
 * - otherwise clear with `customers:read-pii`, masked without.
 */
export function disclosureFor(caller: Caller, restricted: boolean): Disclosure {
  if (restricted) return caller.scopes.has(QueryScope.ReadRestricted) ? 'clear' : 'restricted';
  return caller.scopes.has(QueryScope.ReadPii) ? 'clear' : 'masked';
}

/** Customer ids as the bank issues them (CIF); anything else is answered like an unknown customer. */
export const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
