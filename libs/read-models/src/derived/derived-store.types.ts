// Types the derived store adapter implements (re-exported from the ports' libs).
export type { DerivedEvent } from '@c360/contracts';
export type {
  ChurnRuleRecord,
  CustomerPageQuery,
  CustomerSnapshot,
  DerivedStore,
  DerivedTrace,
  DerivedTransaction,
  PendingOutboxMessage,
  RuleStatus,
  SegmentDefinitionRecord,
  ShadowChange,
  ShadowChangeKind,
  ShadowChangeRow,
  ShadowRunKind,
  ShadowRunRecord,
} from '@c360/projections';
