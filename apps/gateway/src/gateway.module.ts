import { Inject, Injectable, Module, type DynamicModule, type InjectionToken, type ModuleMetadata, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@c360/config';
import { KafkaPublisher, KafkaTopicAdmin } from '@c360/messaging';
import { ProblemMappers, ReadinessRegistry } from '@c360/observability';
import { AcceptCanonicalEvents } from './accept-events/accept-canonical-events.service';
import { AcceptChannelEvents } from './accept-events/accept-channel-events.service';
import { SubmitEvents } from './accept-events/submit-events';
import { gatewayErrorToProblem } from './gateway.errors';
import { GatewayMetrics } from './gateway-metrics';
import { CanonicalEventsController } from './http/canonical-events.controller';
import { ChannelEventsController } from './http/channel-events.controller';
import { EVENT_INTAKE, type EventIntake } from './intake/event-intake.port';
import { KafkaEventIntake } from './intake/kafka-event-intake';

export interface GatewayModuleOptions {
  /**
   * Where accepted events go.
   * - `'kafka'` (default): the events topic (KAFKA_TOPIC_EVENTS) on KAFKA_BROKERS, acks=all.
   * - `{ imports, useExisting }`: another module's intake (all-in-one without Kafka: the
   *   ingestor's `DirectIngestion`, which appends to the store before the gateway answers).
   */
  readonly intake?: 'kafka' | { readonly imports: NonNullable<ModuleMetadata['imports']>; readonly useExisting: InjectionToken };
}

const KAFKA_PUBLISHER = Symbol('GATEWAY_KAFKA_PUBLISHER');

/** Registers the gateway's error mapper and readiness; creates the topics (Kafka mode). */
@Injectable()
class GatewayLifecycle implements OnModuleInit {
  constructor(
    @Inject(ProblemMappers) private readonly mappers: ProblemMappers,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(EVENT_INTAKE) private readonly intake: EventIntake,
  ) {}

  onModuleInit(): void {
    this.mappers.register(gatewayErrorToProblem);
    this.readiness.register({ name: 'gateway-intake', check: async () => ({ up: this.intake.isReady() }) });
  }
}

@Injectable()
class KafkaIntakeLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
  ) {}

  /** Topics are created explicitly (auto-creation is off); idempotent, safe from several processes. */
  async onModuleInit(): Promise<void> {
    const k = this.config.kafka;
    const admin = new KafkaTopicAdmin({ brokers: k.brokers ?? [], clientId: `${k.clientId}-gateway-admin` });
    try {
      await admin.ensureTopics([
        { name: k.topics.events, partitions: k.partitions, replicationFactor: k.replicationFactor },
        { name: k.topics.deadLetters, partitions: k.partitions, replicationFactor: k.replicationFactor },
      ]);
    } finally {
      await admin.close();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}

/**
 * The channel gateway: `POST /v1/channels/{branch|mobile|call-centre}/events` and
 * `POST /v1/events`. Needs (global) ConfigModule, AuthModule, ProblemModule, HealthModule and
 * MetricsModule, as the platform and the gateway's own main provide them.
 */
@Module({})
export class GatewayModule {
  static forRoot(options: GatewayModuleOptions = {}): DynamicModule {
    const intake = options.intake ?? 'kafka';
    const common = [GatewayMetrics, SubmitEvents, AcceptChannelEvents, AcceptCanonicalEvents, GatewayLifecycle];
    if (intake === 'kafka') {
      return {
        module: GatewayModule,
        controllers: [ChannelEventsController, CanonicalEventsController],
        providers: [
          ...common,
          {
            provide: KAFKA_PUBLISHER,
            inject: [APP_CONFIG],
            useFactory: (config: AppConfig): KafkaPublisher => {
              const brokers = config.kafka.brokers;
              if (!brokers) throw new Error('GatewayModule in Kafka mode needs KAFKA_BROKERS');
              return new KafkaPublisher({ brokers, clientId: `${config.kafka.clientId}-gateway`, ackTimeoutMs: 10_000 });
            },
          },
          KafkaIntakeLifecycle,
          {
            provide: EVENT_INTAKE,
            inject: [APP_CONFIG, KAFKA_PUBLISHER],
            useFactory: (config: AppConfig, publisher: KafkaPublisher): EventIntake => new KafkaEventIntake(publisher, config.kafka.topics.events),
          },
        ],
      };
    }
    return {
      module: GatewayModule,
      imports: [...intake.imports],
      controllers: [ChannelEventsController, CanonicalEventsController],
      providers: [...common, { provide: EVENT_INTAKE, useExisting: intake.useExisting }],
    };
  }
}
