import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditService } from '../audit/audit.service';
import type { Caller } from '../caller';
import type { RetentionRepository } from '../persistence/retention.repository';
import type { ErasureService } from './erasure.service';
import type { ReadModelRefolder } from './read-model-refolder';

const SWEEPER: Caller = { subject: 'system:retention-sweeper', tokenId: null, scopes: new Set(), requestId: null };

/**
 * Destroys the keys of restricted customers whose legal retention has ended, and runs the
 * final re-fold of recent erasures (after every process's key cache has expired). Safe with
 * several instances: each step is idempotent.
 */
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly retention: RetentionRepository,
    private readonly erasure: ErasureService,
    private readonly refolder: ReadModelRefolder,
    private readonly audit: AuditService,
    private readonly intervalMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((e: unknown) => this.logger.warn(`sweep failed (${(e as { code?: string }).code ?? (e as Error).name}); retrying next interval`))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass. Returns what it did (for tests and logs). */
  async sweep(): Promise<{ erased: string[]; refolded: string[] }> {
    const now = this.now();
    await this.retention.extendRestrictions(now);
    const erased: string[] = [];
    for (const { customerId, reason } of await this.retention.dueForErasure(now, 100)) {
      await this.audit.record(SWEEPER, { action: 'customer.erase', customerId, piiShown: false, outcome: 'requested', detail: { trigger: 'retention-ended' } });
      const { erasedAt, purge } = await this.erasure.destroy(customerId, SWEEPER.subject, reason);
      await this.audit.record(SWEEPER, { action: 'customer.erase', customerId, piiShown: false, outcome: 'erased', detail: { erasedAt: erasedAt.toISOString(), trigger: 'retention-ended', ...purge } });
      erased.push(customerId);
    }
    const refolded: string[] = [];
    for (const customerId of await this.retention.dueForFinalRefold(now, 100)) {
      await this.refolder.refold(customerId);
      // Anything the ingestor parked or dead-lettered for the customer while the erasure ran.
      await this.erasure.purgeIngestorData(customerId);
      await this.retention.markFinalRefoldDone(customerId);
      refolded.push(customerId);
    }
    return { erased, refolded };
  }
}
