import { Counter, Gauge, type Registry } from 'prom-client';

/** c360_ingestor_*: appended, dead-lettered, parked, released, consumer lag, parked now. */
export class IngestorMetrics {
  private readonly appendedTotal: Counter;
  private readonly deadLetteredTotal: Counter<'code'>;
  private readonly parkedTotal: Counter<'reason'>;
  private readonly releasedTotal: Counter;
  private lagSource: () => Promise<number | undefined> = async () => undefined;

  constructor(registry: Registry, parkedNow: () => Promise<number | undefined>) {
    const lagOf = (): Promise<number | undefined> => this.lagSource();
    this.appendedTotal = new Counter({ name: 'c360_ingestor_events_appended_total', help: 'Events newly written to customer streams.', registers: [registry] });
    this.deadLetteredTotal = new Counter({ name: 'c360_ingestor_dead_lettered_total', help: 'Messages set aside, by reason code.', labelNames: ['code'], registers: [registry] });
    this.parkedTotal = new Counter({ name: 'c360_ingestor_events_parked_total', help: 'Events parked (awaiting an identity link, or behind a dead letter).', labelNames: ['reason'], registers: [registry] });
    this.releasedTotal = new Counter({ name: 'c360_ingestor_events_released_total', help: 'Parked events released to their customer stream.', registers: [registry] });
    new Gauge({
      name: 'c360_ingestor_consumer_lag',
      help: 'Messages on the events topic not yet handled by the ingestor group (sum over partitions).',
      registers: [registry],
      async collect() {
        const lag = await lagOf().catch(() => undefined);
        if (lag !== undefined) this.set(lag);
      },
    });
    new Gauge({
      name: 'c360_ingestor_parked_events',
      help: 'Events parked right now.',
      registers: [registry],
      async collect() {
        const n = await parkedNow().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
  }

  /** The consumer's lag, once there is a consumer (set at start-up). */
  setLagSource(source: () => Promise<number | undefined>): void {
    this.lagSource = source;
  }

  appended(n: number): void {
    if (n > 0) this.appendedTotal.inc(n);
  }
  deadLettered(code: string): void {
    this.deadLetteredTotal.inc({ code });
  }
  parked(reason: string): void {
    this.parkedTotal.inc({ reason });
  }
  released(n: number): void {
    if (n > 0) this.releasedTotal.inc(n);
  }
}
