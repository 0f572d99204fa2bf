import { customerStreamId, type CanonicalEvent, type Identity } from '@c360/contracts';
import { EventStoreErrorCode, isEventStoreError, type AppendResult, type EventStore, type NewEvent, type StreamAppend } from '@c360/event-store';
import type { DeadLetterReason, IncomingMessage } from '@c360/messaging';
import type { IngestorMetrics } from '../ingestor-metrics';
import type { IngestorRepository, MessageSource, SubjectState, SubjectTx } from '../persistence/ingestor.repository';
import { PoisonCode, type Decoded } from './decode-message';
import { customerSubject, identityKey, identitySubject, linksOf, subjectOf } from './subject';
import { toNewEvent } from './to-new-event';

/** One message (or, all-in-one, one HTTP-accepted event) to ingest. */
export interface IngestInput {
  readonly decoded: Decoded;
  readonly source: MessageSource;
  /** The original message, kept whole in a dead letter; null for events that did not come from a topic. */
  readonly message: IncomingMessage | null;
}

/** Where refusals go: the dead-letter table (and, with Kafka, the dead-letter topic). */
export interface RejectionRecorder {
  record(input: IngestInput, reason: DeadLetterReason, blocks: string | null, eventId: string | null): Promise<void>;
}

export interface IngestOutcome {
  readonly appended: number;
  readonly parked: number;
  /** Global position of the last event appended, if any. */
  readonly lastPosition: bigint | undefined;
}

interface Pending {
  readonly input: IngestInput;
  readonly event: CanonicalEvent;
}

/** Store refusals that no retry can cure; anything else (unavailable…) is retried by the caller. */
const PERMANENT = new Set<string>([
  EventStoreErrorCode.EventIdConflict,
  EventStoreErrorCode.EventTooLarge,
  EventStoreErrorCode.InvalidEvent,
  EventStoreErrorCode.InvalidStreamName,
  EventStoreErrorCode.UnknownEventType,
  EventStoreErrorCode.UnsupportedEventVersion,
  EventStoreErrorCode.SubjectErased,
]);

const APPEND_CHUNK = 500;
const RELEASE_PAGE = 500;
/** Most events in one multi-stream append (one transaction). */
const MULTI_APPEND_EVENTS = 1000;

/**
 * The ingestion rules, independent of the transport:
 * 1. resolve the subject: a customer id (or customer number) as is; a channel identity through
 *    the identity links — unknown yet → park the event under the identity, in arrival order;
 * 2. a customer with an open dead letter, or with events parked already, gets this event parked
 *    behind them (per-customer order);
 * 3. append to `customer-<id>` with expected revision 'any' (idempotent on the event id);
 *    the events of a batch are held back per customer and appended together, every customer's
 *    in one multi-stream append (one round trip, one transaction) when the store has it;
 * 4. identity events (ChannelIdentityLinked/Unlinked, CustomerRegistered) update the links after
 *    their append, and release, in order, what was parked for each newly linked identity.
 *    Links wait for the batch's appends (later events of the batch already resolve through
 *    them in memory) and are written together; an unlink, a poison message or any event that
 *    needs a subject's lock first settles what the batch holds (appends, then links).
 * Every step is idempotent, so a redelivered batch changes nothing that was done already.
 */
export class Ingestion {
  constructor(
    private readonly store: EventStore,
    private readonly repo: IngestorRepository,
    private readonly metrics: IngestorMetrics,
    private readonly rejections: RejectionRecorder,
  ) {}

  async ingest(inputs: readonly IngestInput[]): Promise<IngestOutcome> {
    const run = new Run(this, await this.stateFor(inputs));
    for (const input of inputs) await run.handle(input);
    await run.settle();
    return run.outcome();
  }

  /**
   * Re-drive: ingests one repaired (or original) event for a customer whose dead letter it
   * was, bypassing that customer's block for this event only; then, if no other dead letter
   * holds the customer, releases what waited behind it, in order.
   */
  async redrive(input: IngestInput, blockedCustomer: string | null, resolve: (tx: SubjectTx | undefined) => Promise<boolean>): Promise<IngestOutcome> {
    if (blockedCustomer === null) {
      const outcome = await this.ingest([input]);
      await resolve(undefined);
      return outcome;
    }
    return this.repo.withSubjectLock(customerSubject(blockedCustomer), async (tx) => {
      const run = new Run(this, await this.stateFor([input]), blockedCustomer);
      await run.handle(input);
      await run.settle();
      if (!(await resolve(tx))) throw new Error('dead letter is no longer open');
      await this.releaseCustomerLocked(tx, blockedCustomer, run);
      await run.settle();
      return run.outcome();
    });
  }

  /** Discarding a dead letter also lets its customer's waiting events through. */
  async discard(blockedCustomer: string | null, resolve: (tx: SubjectTx | undefined) => Promise<boolean>): Promise<IngestOutcome> {
    if (blockedCustomer === null) {
      await resolve(undefined);
      return { appended: 0, parked: 0, lastPosition: undefined };
    }
    return this.repo.withSubjectLock(customerSubject(blockedCustomer), async (tx) => {
      if (!(await resolve(tx))) throw new Error('dead letter is no longer open');
      const run = new Run(this, { links: new Map(), blocked: new Set(), parked: new Set() });
      await this.releaseCustomerLocked(tx, blockedCustomer, run);
      await run.settle();
      return run.outcome();
    });
  }

  // --- used by Run ---------------------------------------------------------------------

  get repository(): IngestorRepository {
    return this.repo;
  }
  get counters(): IngestorMetrics {
    return this.metrics;
  }
  get recorder(): RejectionRecorder {
    return this.rejections;
  }

  async append(customerId: string, events: readonly NewEvent[]): Promise<{ written: number; position: bigint }> {
    let written = 0;
    let position = 0n;
    for (let i = 0; i < events.length; i += APPEND_CHUNK) {
      const r = await this.store.appendToStream(customerStreamId(customerId), events.slice(i, i + APPEND_CHUNK), { expectedRevision: 'any' });
      written += r.written;
      position = r.position;
    }
    return { written, position };
  }

  /** Several customers' events in one round trip, or undefined when the store cannot. */
  async appendMany(batches: readonly { customerId: string; events: readonly NewEvent[] }[]): Promise<AppendResult[] | undefined> {
    const appendToStreams = this.store.appendToStreams?.bind(this.store);
    if (!appendToStreams) return undefined;
    const appends: StreamAppend[] = batches.map((b) => ({ streamId: customerStreamId(b.customerId), events: b.events, expectedRevision: 'any' }));
    return appendToStreams(appends);
  }

  isPermanent(e: unknown): e is Error & { code: string } {
    return isEventStoreError(e) && PERMANENT.has(e.code);
  }

  /** Releases a customer's parked events if nothing blocks it any more (caller holds the customer's lock). */
  async releaseCustomerLocked(tx: SubjectTx, customerId: string, run: Run): Promise<void> {
    if ((await this.repo.openBlockingCount(tx, customerId)) > 0) return;
    const subject = customerSubject(customerId);
    for (;;) {
      const rows = await this.repo.parkedOf(tx, subject, RELEASE_PAGE);
      if (rows.length === 0) break;
      await run.appendReleased(customerId, rows.map((r) => ({ input: releasedInput(r.event, r.source), event: r.event })));
      await this.repo.deleteParked(tx, rows.map((r) => r.seq));
      this.metrics.released(rows.length);
    }
    await this.repo.unblock(tx, customerId);
  }

  /** Releases what waited for an identity now linked (takes the identity's lock). */
  async releaseIdentity(key: string, run: Run): Promise<void> {
    const subject = identitySubject(key);
    await this.repo.withSubjectLock(subject, async (tx) => {
      for (;;) {
        const rows = await this.repo.parkedOf(tx, subject, RELEASE_PAGE);
        if (rows.length === 0) return;
        const customerId = await this.repo.linkOf(tx, key);
        if (customerId === undefined) return;
        const seqs = rows.map((r) => r.seq);
        if ((await this.repo.isBlocked(tx, customerId)) || (await this.repo.hasParked(tx, customerSubject(customerId)))) {
          await this.repo.reparkBehindCustomer(tx, seqs, customerId);
          run.markParked(customerSubject(customerId));
          return;
        }
        await run.appendReleased(customerId, rows.map((r) => ({ input: releasedInput(r.event, r.source), event: r.event })));
        await this.repo.deleteParked(tx, seqs);
        this.metrics.released(rows.length);
      }
    });
  }

  private async stateFor(inputs: readonly IngestInput[]): Promise<SubjectState> {
    const keys = new Set<string>();
    const customers = new Set<string>();
    for (const i of inputs) {
      if (!i.decoded.ok) continue;
      const s = subjectOf(i.decoded.event);
      if (s.kind === 'identity') keys.add(s.key);
      else customers.add(s.customerId);
    }
    const subjects = [...[...keys].map(identitySubject), ...[...customers].map(customerSubject)];
    return this.repo.state([...keys], [...customers], subjects);
  }
}

const releasedInput = (event: CanonicalEvent, source: MessageSource | null): IngestInput => ({
  decoded: { ok: true, event },
  source: source ?? { topic: 'parked', partition: 0, offset: event.eventId },
  message: null,
});

/** The state of one batch: what it learnt (links, blocks, parked subjects) and the appends it holds back. */
class Run {
  private readonly buffers = new Map<string, Pending[]>();
  /** Links of events held in `buffers`, written once those are appended (see settle). */
  private readonly pendingLinks: { readonly customerId: string; readonly identity: Identity; readonly eventId: string }[] = [];
  private appended = 0;
  private parkedCount = 0;
  private lastPosition: bigint | undefined;

  constructor(
    private readonly ing: Ingestion,
    private readonly state: SubjectState,
    /** Re-drive: this customer's block does not hold back the re-driven event. */
    private readonly bypassBlockOf: string | null = null,
  ) {}

  outcome(): IngestOutcome {
    return { appended: this.appended, parked: this.parkedCount, lastPosition: this.lastPosition };
  }

  markParked(subject: string): void {
    this.state.parked.add(subject);
  }

  async handle(input: IngestInput): Promise<void> {
    const d = input.decoded;
    if (!d.ok) {
      // Earlier events of that customer go first, so the block sits exactly behind them.
      await this.settle();
      await this.reject(input, d.reason, d.customerId, d.eventId);
      return;
    }
    const event = d.event;
    const customerId = await this.resolve(input, event);
    if (customerId === undefined) return;
    if (customerId !== this.bypassBlockOf && (this.state.blocked.has(customerId) || this.state.parked.has(customerSubject(customerId)))) {
      const subject = customerSubject(customerId);
      await this.settle();
      const parked = await this.ing.repository.withSubjectLock(subject, async (tx) => {
        if (await this.ing.repository.isBlocked(tx, customerId)) {
          await this.ing.repository.park(tx, subject, 'customer-blocked', event, input.source);
          return true;
        }
        // Not blocked, yet events wait (moved here while a re-drive was releasing): let them go first.
        if (await this.ing.repository.hasParked(tx, subject)) await this.ing.releaseCustomerLocked(tx, customerId, this);
        return false;
      });
      if (parked) {
        this.state.parked.add(subject);
        this.parkedCount += 1;
        this.ing.counters.parked('customer-blocked');
        return;
      }
      this.state.blocked.delete(customerId);
      this.state.parked.delete(subject);
    }
    const list = this.buffers.get(customerId) ?? [];
    list.push({ input, event });
    this.buffers.set(customerId, list);
    const links = linksOf(event);
    if (links.unlink.length > 0) {
      await this.settle();
      await this.applyLinks(customerId, links, event.eventId);
    } else {
      for (const identity of links.link) {
        if (identity.scheme === 'customer-number') continue; // resolves to itself
        this.pendingLinks.push({ customerId, identity, eventId: event.eventId });
        // Later events of this batch resolve through it at once (the store sees them after this one).
        this.state.links.set(identityKey(identity), customerId);
      }
    }
  }

  /** The customer of an event, or undefined when it was parked to wait for its identity's link. */
  private async resolve(input: IngestInput, event: CanonicalEvent): Promise<string | undefined> {
    const s = subjectOf(event);
    if (s.kind === 'customer') return s.customerId;
    const subject = identitySubject(s.key);
    const known = this.state.links.get(s.key);
    if (known !== undefined && !this.state.parked.has(subject)) return known;
    await this.settle();
    const outcome = await this.ing.repository.withSubjectLock(subject, async (tx) => {
      const linked = await this.ing.repository.linkOf(tx, s.key);
      if (linked !== undefined && !(await this.ing.repository.hasParked(tx, subject))) return { customerId: linked };
      await this.ing.repository.park(tx, subject, 'awaiting-identity', event, input.source);
      return { customerId: undefined };
    });
    if (outcome.customerId !== undefined) {
      this.state.links.set(s.key, outcome.customerId);
      this.state.parked.delete(subject);
      return outcome.customerId;
    }
    this.state.parked.add(subject);
    this.parkedCount += 1;
    this.ing.counters.parked('awaiting-identity');
    return undefined;
  }

  private async applyLinks(customerId: string, links: ReturnType<typeof linksOf>, eventId: string): Promise<void> {
    const repo = this.ing.repository;
    for (const identity of links.unlink) {
      const key = identityKey(identity);
      await repo.unlink(key, customerId);
      if (this.state.links.get(key) === customerId) this.state.links.delete(key);
    }
    for (const identity of links.link) {
      if (identity.scheme === 'customer-number') continue; // resolves to itself
      const key = identityKey(identity);
      await repo.link(key, identity.scheme, customerId, eventId);
      this.state.links.set(key, customerId);
      await this.ing.releaseIdentity(key, this);
      this.state.parked.delete(identitySubject(key));
    }
  }

  /** Appends everything held back, then writes the links that waited for those appends. */
  async settle(): Promise<void> {
    await this.flushAll();
    await this.applyPendingLinks();
  }

  /**
   * Writes the held-back links (the events carrying them are in the store), then releases what
   * was parked for those identities. One statement for the links, one to find what waits.
   */
  private async applyPendingLinks(): Promise<void> {
    if (this.pendingLinks.length === 0) return;
    const repo = this.ing.repository;
    const byKey = new Map<string, { identityKey: string; scheme: string; customerId: string; eventId: string }>();
    for (const l of this.pendingLinks.splice(0)) {
      const key = identityKey(l.identity);
      byKey.delete(key); // the last link of an identity wins, as if written one by one
      byKey.set(key, { identityKey: key, scheme: l.identity.scheme, customerId: l.customerId, eventId: l.eventId });
    }
    const links = [...byKey.values()];
    await repo.linkMany(links);
    for (const l of links) this.state.links.set(l.identityKey, l.customerId);
    const waiting = await repo.parkedAfterBarrier(links.map((l) => identitySubject(l.identityKey)));
    for (const l of links) {
      const subject = identitySubject(l.identityKey);
      if (waiting.has(subject)) await this.ing.releaseIdentity(l.identityKey, this);
      this.state.parked.delete(subject);
    }
  }

  async flushAll(): Promise<void> {
    const customers = [...this.buffers.keys()];
    if (customers.length === 0) return;
    if (customers.length > 1) {
      // Several customers: one multi-stream append per group (each customer's events whole, in order).
      let group: { customerId: string; pending: Pending[] }[] = [];
      let size = 0;
      const groups: (typeof group)[] = [];
      for (const c of customers) {
        const pending = this.buffers.get(c) ?? [];
        if (size > 0 && size + pending.length > MULTI_APPEND_EVENTS) {
          groups.push(group);
          group = [];
          size = 0;
        }
        group.push({ customerId: c, pending });
        size += pending.length;
      }
      groups.push(group);
      for (const g of groups) {
        if (g.length < 2 || g.some((x) => x.pending.length > APPEND_CHUNK)) continue;
        let results: AppendResult[] | undefined;
        try {
          results = await this.ing.appendMany(g.map((x) => ({ customerId: x.customerId, events: x.pending.map((p) => toNewEvent(p.event)) })));
        } catch (e) {
          // A permanent refusal of one event: the per-customer path below finds it.
          if (!this.ing.isPermanent(e)) throw e;
          continue;
        }
        if (results === undefined) break; // the store has no multi-stream append
        for (const r of results) this.record(r);
        for (const x of g) this.buffers.delete(x.customerId);
      }
    }
    const rest = [...this.buffers.keys()];
    // Different customers are independent streams: append them side by side, a few at a time.
    for (let i = 0; i < rest.length; i += 8) {
      await Promise.all(rest.slice(i, i + 8).map((c) => this.flush(c)));
    }
  }

  async flush(customerId: string): Promise<void> {
    const pending = this.buffers.get(customerId);
    this.buffers.delete(customerId);
    if (!pending || pending.length === 0) return;
    await this.appendPending(customerId, pending);
  }

  /** Appends released events, then applies their identity links (a parked ChannelIdentityLinked, say). */
  async appendReleased(customerId: string, pending: readonly Pending[]): Promise<void> {
    await this.settle();
    await this.appendPending(customerId, pending);
    for (const p of pending) {
      const links = linksOf(p.event);
      if (links.link.length > 0 || links.unlink.length > 0) await this.applyLinks(customerId, links, p.event.eventId);
    }
  }

  private async appendPending(customerId: string, pending: readonly Pending[]): Promise<void> {
    try {
      this.record(await this.ing.append(customerId, pending.map((p) => toNewEvent(p.event))));
      return;
    } catch (e) {
      if (!this.ing.isPermanent(e)) throw e;
    }
    // One event of the batch is refused for good: find it, append the others one by one.
    for (const p of pending) {
      try {
        this.record(await this.ing.append(customerId, [toNewEvent(p.event)]));
      } catch (e) {
        if (!this.ing.isPermanent(e)) throw e;
        const conflict = e.code === EventStoreErrorCode.EventIdConflict;
        const erased = e.code === EventStoreErrorCode.SubjectErased;
        const reason = { code: conflict ? PoisonCode.EventIdConflict : PoisonCode.StoreRefused, detail: `event store: ${e.code}` };
        // A conflicting repeat is ignored (the stored event stands); an erased customer takes no new personal data.
        // Neither holds the customer's later events back; any other refusal does.
        await this.reject(p.input, reason, conflict || erased ? null : customerId, p.event.eventId, conflict || erased);
      }
    }
  }

  private record(r: { written: number; position: bigint }): void {
    this.appended += r.written;
    this.ing.counters.appended(r.written);
    if (this.lastPosition === undefined || r.position > this.lastPosition) this.lastPosition = r.position;
  }

  private async reject(input: IngestInput, reason: DeadLetterReason, customerId: string | null, eventId: string | null, nonBlocking = false): Promise<void> {
    const blocks = nonBlocking ? null : customerId;
    await this.ing.recorder.record(input, reason, blocks, eventId);
    this.ing.counters.deadLettered(reason.code);
    if (blocks !== null && blocks !== this.bypassBlockOf) this.state.blocked.add(blocks);
  }
}
