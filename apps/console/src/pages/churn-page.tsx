import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { apiFetch, qs } from '../api';
import { byRisk, formatCount, formatTime } from '../lib/format';
import { Link } from '../router';
import type { ChurnFlag, Page } from '../types';
import { Badge, Card, Empty, Loading, ProblemBox, RiskMeter, tierTone } from '../ui';

interface Filters {
  readonly minScore: string;
  readonly tier: string;
  readonly region: string;
}

/** Open churn flags, highest risk first, filtered by score, tier and region. */
export function ChurnPage(): ReactNode {
  const [draft, setDraft] = useState<Filters>({ minScore: '', tier: '', region: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const flags = useInfiniteQuery({
    queryKey: ['churn-flags', filters],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      apiFetch<Page<ChurnFlag>>(
        `/v1/churn-flags${qs({ status: 'open', ...filters, cursor: pageParam, limit: 200 })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = byRisk(flags.data?.pages.flatMap((p) => p.items) ?? []);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  return (
    <div className="page" data-testid="churn-page">
      <h1>Open churn flags</h1>
      <Card>
        <form className="filters" onSubmit={apply} aria-label="Filter churn flags">
          <label className="field">
            <span>Min. risk score</span>
            <input
              type="number"
              min={0}
              max={100}
              value={draft.minScore}
              onChange={(e) => setDraft({ ...draft, minScore: e.target.value })}
              placeholder="0"
            />
          </label>
          <label className="field">
            <span>Tier</span>
            <select
              value={draft.tier}
              onChange={(e) => setDraft({ ...draft, tier: e.target.value })}
            >
              <option value="">any</option>
              <option value="top">top</option>
              <option value="important">important</option>
              <option value="core">core</option>
              <option value="mass">mass</option>
            </select>
          </label>
          <label className="field">
            <span>Region</span>
            <input
              value={draft.region}
              onChange={(e) => setDraft({ ...draft, region: e.target.value })}
              placeholder="any"
            />
          </label>
          <button type="submit" className="primary">
            Apply
          </button>
        </form>
      </Card>
      <Card
        title="Flags, highest risk first"
        actions={
          <span className="muted small">
            {formatCount(items.length)} shown{flags.hasNextPage ? ' (more on the server)' : ''}
          </span>
        }
      >
        {flags.isPending ? <Loading /> : null}
        {flags.isError ? <ProblemBox error={flags.error} what="churn flags (churn:read)" /> : null}
        {flags.data && items.length === 0 ? <Empty>No open flags match.</Empty> : null}
        {items.length > 0 ? (
          <table className="table" data-testid="churn-table">
            <thead>
              <tr>
                <th>Risk</th>
                <th>Customer</th>
                <th>Flag</th>
                <th>Reason</th>
                <th>Tier</th>
                <th>Region</th>
                <th>Raised</th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.flagId} data-testid="churn-row">
                  <td>
                    <RiskMeter score={f.riskScore} />
                  </td>
                  <td>
                    <Link to={`/customers/${encodeURIComponent(f.customerId)}`} className="mono">
                      {f.customerId}
                    </Link>
                  </td>
                  <td>
                    <Badge tone="bad">{f.code}</Badge>
                  </td>
                  <td className="reason">{f.reason}</td>
                  <td>{f.tier ? <Badge tone={tierTone(f.tier)}>{f.tier}</Badge> : '—'}</td>
                  <td>{f.region ?? '—'}</td>
                  <td>{formatTime(f.raisedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {flags.hasNextPage ? (
          <button
            type="button"
            onClick={() => void flags.fetchNextPage()}
            disabled={flags.isFetchingNextPage}
          >
            Load more (re-sorts by risk)
          </button>
        ) : null}
      </Card>
    </div>
  );
}
