import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { apiFetch, qs } from '../api';
import { LorenzChart, TierChart } from '../charts';
import { formatCount, formatTime } from '../lib/format';
import { Link } from '../router';
import type { Page, Segment, SegmentMember, ValueConcentration as Concentration } from '../types';
import { Badge, Card, Empty, Loading, ProblemBox, tierTone } from '../ui';

const TIER_ORDER = ['tier-top', 'tier-important', 'tier-core', 'tier-mass'];

/** Active segments with their sizes, and the customers per value tier as a chart. */
export function SegmentsPage(): ReactNode {
  const segments = useQuery({
    queryKey: ['segments'],
    queryFn: () => apiFetch<Segment[]>('/v1/segments'),
  });
  if (segments.isPending) return <Loading />;
  if (segments.isError)
    return <ProblemBox error={segments.error} what="segments (segments:read)" />;
  const list = segments.data;
  const tiers = TIER_ORDER.map((id) => list.find((s) => s.segmentId === id)).filter(
    (s): s is Segment => s !== undefined,
  );
  const total = tiers.reduce((a, t) => a + t.members, 0);
  return (
    <div className="page" data-testid="segments-page">
      <h1>Segments</h1>
      <div className="grid-2">
        <Card
          title="Customers per value tier"
          actions={<span className="muted small">{formatCount(total)} tiered customers</span>}
        >
          {tiers.length === 0 ? (
            <Empty>No tier segments defined.</Empty>
          ) : (
            <TierChart
              tiers={tiers.map((t) => ({
                name: t.name.replace(/^value tier:\s*/i, ''),
                members: t.members,
              }))}
            />
          )}
        </Card>
        <ValueConcentration />
      </div>
      <Card title="All active segments">
        {list.length === 0 ? (
          <Empty>No active segments.</Empty>
        ) : (
          <table className="table" data-testid="segments-table">
            <thead>
              <tr>
                <th>Segment</th>
                <th>Rule</th>
                <th>Version</th>
                <th className="num">Members</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.segmentId} data-testid={`segment-row-${s.segmentId}`}>
                  <td>
                    <Link to={`/segments/${encodeURIComponent(s.segmentId)}`}>{s.name}</Link>
                    <div className="muted small mono">{s.segmentId}</div>
                  </td>
                  <td className="muted">{s.description}</td>
                  <td>v{s.version}</td>
                  <td className="num mono" data-testid={`segment-size-${s.segmentId}`}>
                    {formatCount(s.members)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

/** The Lorenz curve of relationship value across the book (aggregates from the API). */
function ValueConcentration(): ReactNode {
  const c = useQuery({
    queryKey: ['value-concentration'],
    queryFn: () => apiFetch<Concentration>('/v1/segments/value-concentration'),
  });
  return (
    <Card
      title="Value concentration"
      testId="value-concentration"
      actions={
        c.data ? (
          <span className="muted small" data-testid="top20-share">
            top 20% of customers hold {Math.round(c.data.top20Share * 100)}% of value
          </span>
        ) : null
      }
    >
      {c.isPending ? <Loading /> : null}
      {c.isError ? <ProblemBox error={c.error} what="value concentration (segments:read)" /> : null}
      {c.data && c.data.customers === 0 ? <Empty>No customers yet.</Empty> : null}
      {c.data && c.data.customers > 0 ? (
        <LorenzChart
          curve={[...c.data.curve]}
          caption={`Value concentration over ${formatCount(c.data.customers)} customers`}
        />
      ) : null}
    </Card>
  );
}

const PAGE_SIZE = 50;

/** One segment's members, cursor paged (a stack of cursors for "previous"). */
export function SegmentPage(props: { segmentId: string }): ReactNode {
  const id = props.segmentId;
  const [cursors, setCursors] = useState<string[]>(['']);
  const cursor = cursors[cursors.length - 1] ?? '';
  const segments = useQuery({
    queryKey: ['segments'],
    queryFn: () => apiFetch<Segment[]>('/v1/segments'),
  });
  const page = useQuery({
    queryKey: ['segment-members', id, cursor],
    queryFn: () =>
      apiFetch<Page<SegmentMember>>(
        `/v1/segments/${encodeURIComponent(id)}/members${qs({ cursor, limit: PAGE_SIZE })}`,
      ),
  });
  const segment = segments.data?.find((s) => s.segmentId === id);
  const pageNo = cursors.length;
  return (
    <div className="page" data-testid="segment-page">
      <div className="breadcrumb">
        <Link to="/segments">Segments</Link> / <span className="mono">{id}</span>
      </div>
      <h1>{segment?.name ?? id}</h1>
      {segment ? (
        <p className="muted">
          {segment.description} · {formatCount(segment.members)} members · rule v{segment.version}
        </p>
      ) : null}
      <Card
        title="Members"
        actions={
          <div className="pager">
            <button
              type="button"
              disabled={cursors.length <= 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              ← Previous
            </button>
            <span className="muted small">page {pageNo}</span>
            <button
              type="button"
              disabled={!page.data?.nextCursor}
              onClick={() =>
                page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])
              }
              data-testid="members-next"
            >
              Next →
            </button>
          </div>
        }
      >
        {page.isPending ? <Loading /> : null}
        {page.isError ? <ProblemBox error={page.error} what={`segment ${id}`} /> : null}
        {page.data && page.data.items.length === 0 ? <Empty>No members.</Empty> : null}
        {page.data && page.data.items.length > 0 ? (
          <table className="table" data-testid="members-table">
            <thead>
              <tr>
                <th>Customer</th>
                <th>Tier</th>
                <th>Region</th>
                <th>Why</th>
                <th>Member since</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((m) => (
                <tr key={m.customerId}>
                  <td>
                    <Link to={`/customers/${encodeURIComponent(m.customerId)}`} className="mono">
                      {m.customerId}
                    </Link>
                  </td>
                  <td>{m.tier ? <Badge tone={tierTone(m.tier)}>{m.tier}</Badge> : '—'}</td>
                  <td>{m.region ?? '—'}</td>
                  <td className="muted">{m.reason}</td>
                  <td>{formatTime(m.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
    </div>
  );
}
