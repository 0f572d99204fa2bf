import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { apiFetch, qs } from '../api';
import { formatCount, formatTime } from '../lib/format';
import { Link } from '../router';
import { useSession } from '../session';
import type { DeadLetter, ParkedSubject, RedriveResult } from '../types';
import { Badge, Card, Empty, Loading, ProblemBox } from '../ui';

/** Dead letters (re-drive or discard each) and the subjects whose events wait behind them. */
export function DeadLettersPage(): ReactNode {
  const [status, setStatus] = useState('open');
  const { can } = useSession();
  const client = useQueryClient();
  const letters = useQuery({
    queryKey: ['dead-letters', status],
    queryFn: () =>
      apiFetch<{ items: DeadLetter[]; next: string | null }>(
        `/v1/ops/dead-letters${qs({ status, limit: 100 })}`,
      ),
  });
  const parked = useQuery({
    queryKey: ['parked'],
    queryFn: () => apiFetch<{ items: ParkedSubject[] }>('/v1/ops/dead-letters/parked'),
  });
  const [outcome, setOutcome] = useState<RedriveResult | null>(null);
  const act = useMutation({
    mutationFn: (a: { id: string; action: 'redrive' | 'discard' }) =>
      apiFetch<RedriveResult>(`/v1/ops/dead-letters/${encodeURIComponent(a.id)}/${a.action}`, {
        method: 'POST',
        body: {},
      }),
    onSuccess: (r) => {
      setOutcome(r);
      void client.invalidateQueries({ queryKey: ['dead-letters'] });
      void client.invalidateQueries({ queryKey: ['parked'] });
    },
  });
  return (
    <div className="page" data-testid="dead-letters-page">
      <h1>Dead letters</h1>
      {outcome ? (
        <div className="notice" role="status">
          Dead letter {outcome.id} {outcome.status}: {outcome.appended} event(s) appended,{' '}
          {outcome.parked} still parked.
        </div>
      ) : null}
      {act.isError ? <ProblemBox error={act.error} what="re-driving (ops:replay)" /> : null}
      <Card
        title="Dead letters"
        actions={
          <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="Status">
            <option value="open">open</option>
            <option value="redriven">redriven</option>
            <option value="discarded">discarded</option>
          </select>
        }
      >
        {letters.isPending ? <Loading /> : null}
        {letters.isError ? (
          <ProblemBox error={letters.error} what="dead letters (ops:read)" />
        ) : null}
        {letters.data && letters.data.items.length === 0 ? (
          <Empty>No {status} dead letters.</Empty>
        ) : null}
        {letters.data && letters.data.items.length > 0 ? (
          <table className="table" data-testid="dead-letters-table">
            <thead>
              <tr>
                <th>Id</th>
                <th>Reason</th>
                <th>Holds back</th>
                <th>Source</th>
                <th className="num">Size</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {letters.data.items.map((d) => (
                <tr key={d.id}>
                  <td className="mono">{d.id}</td>
                  <td>
                    <Badge tone="bad">{d.reason.code}</Badge>
                    <div className="muted small">{d.reason.detail}</div>
                  </td>
                  <td>
                    {d.blocksCustomer ? (
                      <Link to={`/customers/${encodeURIComponent(d.blocksCustomer)}`}>
                        {d.blocksCustomer}
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="mono small">
                    {d.source.topic}/{d.source.partition}@{d.source.offset}
                  </td>
                  <td className="num">{formatCount(d.sizeBytes)} B</td>
                  <td>{formatTime(d.createdAt)}</td>
                  <td>
                    <div className="row-actions">
                      {d.status === 'open' && can('ops:replay') ? (
                        <>
                          <button
                            type="button"
                            onClick={() => act.mutate({ id: d.id, action: 'redrive' })}
                            disabled={act.isPending}
                          >
                            Re-drive
                          </button>
                          <button
                            type="button"
                            className="danger"
                            onClick={() => act.mutate({ id: d.id, action: 'discard' })}
                            disabled={act.isPending}
                          >
                            Discard
                          </button>
                        </>
                      ) : (
                        <span className="muted small">
                          {d.status === 'open'
                            ? 'needs ops:replay'
                            : `${d.status} ${formatTime(d.resolvedAt)}`}
                        </span>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <p className="muted small">
          To re-drive with a repaired event, use{' '}
          <code>npx c360 dead-letters redrive &lt;id&gt; --file repaired.json</code>.
        </p>
      </Card>
      <Card
        title="Parked subjects"
        actions={
          <span className="muted small">
            events waiting behind a dead letter or an identity link
          </span>
        }
      >
        {parked.isPending ? <Loading /> : null}
        {parked.isError ? (
          <ProblemBox error={parked.error} what="parked events (ops:read)" />
        ) : null}
        {parked.data && parked.data.items.length === 0 ? <Empty>Nothing parked.</Empty> : null}
        {parked.data && parked.data.items.length > 0 ? (
          <table className="table compact">
            <thead>
              <tr>
                <th>Subject</th>
                <th>Reason</th>
                <th className="num">Events</th>
                <th>Oldest</th>
              </tr>
            </thead>
            <tbody>
              {parked.data.items.map((p) => (
                <tr key={p.subject}>
                  <td className="mono">{p.subject}</td>
                  <td>{p.reason}</td>
                  <td className="num">{formatCount(p.count)}</td>
                  <td>{formatTime(p.oldestParkedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
    </div>
  );
}
