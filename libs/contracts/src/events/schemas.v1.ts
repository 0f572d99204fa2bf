/**
 * Validation schemas for the v1 data of every canonical event — frozen with catalogue.v1.ts.
 * These classes are used only to validate; events are never persisted as class instances.
 * Each class `implements` its v1 type, so a schema cannot silently lose a field of the type.
 * Never edit a published version: add `schemas.v2.ts` for a changed type, plus an upcaster.
 */
import {
  CALL_OUTCOMES,
  CHANNELS,
  MONEY_KINDS,
  PRODUCT_TYPES,
  type BalanceReportedV1,
  type BranchVisitedV1,
  type CallHandledV1,
  type CallOutcome,
  type Channel,
  type ChannelIdentityLinkedV1,
  type ComplaintRaisedV1,
  type ComplaintResolvedV1,
  type ContactDetailsChangedV1,
  type CustomerRegisteredV1,
  type CustomersMergedV1,
  type IdentityScheme,
  type MobileActionPerformedV1,
  type MobileSessionStartedV1,
  type MoneyKind,
  type MoneyMovedV1,
  type OfferPresentedV1,
  type OfferRespondedV1,
  type ProductClosedV1,
  type ProductOpenedV1,
  type ProductType,
  type RelationshipManagerAssignedV1,
  type SurveyAnsweredV1,
} from './catalogue.v1';
import type { FieldError } from '../validation/field-error';
import {
  CalendarDateField,
  CurrencyField,
  DecimalField,
  EmailField,
  IdentifierField,
  IntegerField,
  MinorUnitsField,
  OneOfField,
  PhoneField,
  TextField,
} from '../validation/fields';
import { checkIdentityScheme, checkIdentityValue } from '../validation/identity-rules';
import { Field } from '../validation/schema-decorators';
import { checkInteger } from '../validation/text-rules';

export class CustomerRegisteredV1Schema implements CustomerRegisteredV1 {
  @IdentifierField({ maxLength: 32 }) customerNumber!: string;
  @OneOfField(['individual', 'business']) kind!: 'individual' | 'business';
  @TextField(200) fullName!: string;
  @IdentifierField({ maxLength: 32 }) nationalId!: string;
  @CalendarDateField() birthDate!: string;
  @PhoneField() phone!: string;
  @EmailField() email!: string;
  @TextField(500) address!: string;
  @IdentifierField() region!: string;
  @IdentifierField({ maxLength: 32 }) branchCode!: string;
}

export class ContactDetailsChangedV1Schema implements ContactDetailsChangedV1 {
  @PhoneField({ optional: true }) phone?: string;
  @EmailField({ optional: true }) email?: string;
  @TextField(500, { optional: true }) address?: string;

  static refine(v: Readonly<ContactDetailsChangedV1Schema>): FieldError[] {
    return v.phone === undefined && v.email === undefined && v.address === undefined
      ? [{ path: '', code: 'empty-change', message: 'must change at least one of phone, email, address' }]
      : [];
  }
}

export class ChannelIdentityLinkedV1Schema implements ChannelIdentityLinkedV1 {
  @Field(checkIdentityScheme) scheme!: IdentityScheme;
  @Field((v, o) => checkIdentityValue(v, o['scheme'])) value!: string;
}
export class ChannelIdentityUnlinkedV1Schema extends ChannelIdentityLinkedV1Schema {}

export class CustomersMergedV1Schema implements CustomersMergedV1 {
  @IdentifierField({ maxLength: 32 }) survivorId!: string;
  @IdentifierField({ maxLength: 32 }) mergedId!: string;
  @TextField(500) reason!: string;

  static refine(v: Readonly<CustomersMergedV1Schema>): FieldError[] {
    return v.survivorId === v.mergedId
      ? [{ path: '/mergedId', code: 'same-customer', message: 'must differ from survivorId' }]
      : [];
  }
}
export class CustomersUnmergedV1Schema extends CustomersMergedV1Schema {}

export class RelationshipManagerAssignedV1Schema implements RelationshipManagerAssignedV1 {
  @IdentifierField() managerId!: string;
  @IdentifierField({ nullable: true }) previousManagerId!: string | null;
}

export class ProductOpenedV1Schema implements ProductOpenedV1 {
  @IdentifierField() productId!: string;
  @OneOfField(PRODUCT_TYPES) productType!: ProductType;
  @CurrencyField() currency!: string;
}

export class ProductClosedV1Schema implements ProductClosedV1 {
  @IdentifierField() productId!: string;
  @OneOfField(PRODUCT_TYPES) productType!: ProductType;
  @TextField(500) reason!: string;
}

export class BalanceReportedV1Schema implements BalanceReportedV1 {
  @IdentifierField() productId!: string;
  /** May be negative (overdraft, loan outstanding). */
  @MinorUnitsField() balanceMinor!: number;
  @CurrencyField() currency!: string;
  @CalendarDateField() asOfDate!: string;
}

export class MoneyMovedV1Schema implements MoneyMovedV1 {
  @IdentifierField() productId!: string;
  @OneOfField(['in', 'out']) direction!: 'in' | 'out';
  @OneOfField(MONEY_KINDS) kind!: MoneyKind;
  /** Always positive: `direction` carries the sign. */
  @MinorUnitsField({ min: 1 }) amountMinor!: number;
  @CurrencyField() currency!: string;
  @IdentifierField({ optional: true, nullable: true }) counterpartyBank?: string | null;
}

export class BranchVisitedV1Schema implements BranchVisitedV1 {
  @IdentifierField({ maxLength: 32 }) branchCode!: string;
  @IdentifierField() service!: string;
  @IntegerField({ min: 0, max: 1440 }) waitMinutes!: number;
  @IdentifierField() tellerId!: string;
}

export class MobileSessionStartedV1Schema implements MobileSessionStartedV1 {
  @IdentifierField({ maxLength: 128 }) deviceId!: string;
  @IdentifierField({ maxLength: 32 }) appVersion!: string;
}

export class MobileActionPerformedV1Schema implements MobileActionPerformedV1 {
  @IdentifierField({ maxLength: 128 }) deviceId!: string;
  @IdentifierField() action!: string;
}

export class CallHandledV1Schema implements CallHandledV1 {
  @IdentifierField() callId!: string;
  @TextField(200) reason!: string;
  @IntegerField({ min: 0, max: 86_400 }) durationSec!: number;
  @OneOfField(CALL_OUTCOMES) outcome!: CallOutcome;
  @DecimalField({ min: -1, max: 1 }, { nullable: true }) sentiment!: number | null;
  @IdentifierField({ nullable: true }) agentId!: string | null;
}

export class ComplaintRaisedV1Schema implements ComplaintRaisedV1 {
  @IdentifierField() complaintId!: string;
  @TextField(100) category!: string;
  @OneOfField(['low', 'medium', 'high']) severity!: 'low' | 'medium' | 'high';
  @OneOfField(CHANNELS) channel!: Channel;
}

export class ComplaintResolvedV1Schema implements ComplaintResolvedV1 {
  @IdentifierField() complaintId!: string;
  @TextField(2000) resolution!: string;
}

export class SurveyAnsweredV1Schema implements SurveyAnsweredV1 {
  @OneOfField(['nps', 'csat']) kind!: 'nps' | 'csat';
  /** NPS 0..10, CSAT 1..5. */
  @Field((v, o) => (o['kind'] === 'csat' ? checkInteger(v, { min: 1, max: 5 }) : checkInteger(v, { min: 0, max: 10 })))
  score!: number;
}

export class OfferPresentedV1Schema implements OfferPresentedV1 {
  @IdentifierField() offerId!: string;
  @TextField(100) product!: string;
}

export class OfferRespondedV1Schema implements OfferRespondedV1 {
  @IdentifierField() offerId!: string;
  @TextField(100) product!: string;
  @OneOfField(['accepted', 'declined']) response!: 'accepted' | 'declined';
}
