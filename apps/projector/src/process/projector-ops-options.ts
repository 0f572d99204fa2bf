import type { AppConfig, MasterKey } from '@c360/config';
import type { EventStore } from '@c360/event-store';
import type { DerivedConfig } from '../derived/derived-config';
import type { OpsModuleOptions } from '../ops/index';
import { defaultProjection } from '../projector';
import type { ProjectorConfig } from '../projector-config';

/**
 * The ops endpoints of a process that runs the projector: the same projections, partitions and
 * batch limits as its runners, the broker for replay and verify when KAFKA_BROKERS is set (the
 * derived topic the relay publishes to), and either the event store the runners read (the
 * platform's shared protected store; EventStoreDB) or the master keys to open the PostgreSQL
 * one. The platform (apps/platform/src/features.ts) and the standalone projector both mount these.
 */
export function projectorOpsOptions(
  config: AppConfig,
  projector: ProjectorConfig,
  derived: DerivedConfig,
  store: { readonly eventStore: EventStore } | { readonly masterKeys: readonly MasterKey[] },
): OpsModuleOptions {
  const k = config.kafka;
  return {
    databaseUrl: projector.databaseUrl,
    readModelSchema: projector.readModelSchema,
    eventStoreSchema: projector.eventStoreSchema,
    definitions: [defaultProjection(derived)],
    ...('eventStore' in store ? { eventStore: store.eventStore } : { masterKeys: store.masterKeys }),
    defaultPartitions: projector.partitions,
    batch: { maxSize: projector.batchSize, maxLatencyMs: projector.batchLatencyMs },
    bulk: { minEvents: projector.bulkMinEvents, chunkEvents: projector.bulkChunkEvents },
    ...(k.brokers ? { kafka: { ...k, brokers: k.brokers, topics: { ...k.topics, derived: derived.topic } } } : {}),
  };
}
