import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { apiFetch, qs } from '../api';
import { ChannelChart } from '../charts';
import { formatMinor, formatTime } from '../lib/format';
import { Link } from '../router';
import type { CustomerView, PersonalField, TimelinePage } from '../types';
import { Badge, Card, Empty, Loading, ProblemBox, RiskMeter, tierTone } from '../ui';

const CHANNELS = ['branch', 'mobile', 'call-centre', 'core-banking'];

function Personal(props: { value: PersonalField }): ReactNode {
  const v = props.value;
  if (v === null) return <span className="muted">—</span>;
  if (typeof v === 'string') return <>{v}</>;
  if ('erased' in v) return <Badge tone="muted">erased</Badge>;
  return <Badge tone="warn">restricted</Badge>;
}

/** The customer-360 page: profile, identities, products, segments, churn flags, timeline. */
export function CustomerPage(props: { customerId: string }): ReactNode {
  const id = props.customerId;
  const view = useQuery({
    queryKey: ['customer', id],
    queryFn: () => apiFetch<CustomerView>(`/v1/customers/${encodeURIComponent(id)}`),
  });
  if (view.isPending) return <Loading />;
  if (view.isError)
    return (
      <div className="page">
        <Breadcrumb id={id} />
        <ProblemBox error={view.error} what={`customer ${id}`} />
      </div>
    );
  const v = view.data;
  const p = v.profile;
  const openProducts = v.products.filter((x) => x.status === 'open');
  return (
    <div className="page" data-testid="customer-360">
      <Breadcrumb id={id} />
      <div className="hero card">
        <div className="hero-main">
          <h1 data-testid="customer-name">
            <Personal value={p.fullName} />
          </h1>
          <div className="hero-sub">
            <span className="mono" data-testid="customer-id">
              {v.customerId}
            </span>
            {p.kind ? <span>{p.kind}</span> : null}
            {p.region ? <span>region {p.region}</span> : null}
            {p.branchCode ? <span>branch {p.branchCode}</span> : null}
            {v.relationshipManager ? <span>RM {v.relationshipManager.managerId}</span> : null}
          </div>
          <div className="hero-badges">
            <Badge tone={tierTone(v.tier)} testId="customer-tier">
              {v.tier} tier
            </Badge>
            <Badge tone={v.personalData === 'clear' ? 'ok' : 'warn'} testId="disclosure">
              personal data {v.personalData}
            </Badge>
            {v.erased ? <Badge tone="bad">erased</Badge> : null}
            {v.mergedInto ? (
              <Badge tone="warn">
                merged into{' '}
                <Link to={`/customers/${encodeURIComponent(v.mergedInto)}`}>{v.mergedInto}</Link>
              </Badge>
            ) : null}
          </div>
          {v.personalData === 'masked' ? (
            <p className="muted small">
              Personal data is masked: your token lacks customers:read-pii.
            </p>
          ) : null}
        </div>
        <div className="hero-stats">
          <Stat
            label="Relationship value"
            value={formatMinor(v.relationshipValueMinor)}
            testId="relationship-value"
          />
          <Stat label="Open products" value={String(openProducts.length)} />
          <Stat
            label="Churn risk"
            value={<RiskMeter score={v.churn.riskScore} />}
            testId="risk-score"
          />
          <Stat
            label={`Margin (${v.profitability.windowDays} d)`}
            value={formatMinor(v.profitability.marginMinor)}
          />
        </div>
      </div>

      <div className="grid-2">
        <Card title="Open churn flags" testId="churn-flags">
          {v.churn.openFlags.length === 0 ? (
            <Empty>No open flags.</Empty>
          ) : (
            <ul className="flag-list">
              {v.churn.openFlags.map((f) => (
                <li key={f.code} className="flag">
                  <Badge tone="bad">{f.code}</Badge>
                  <span className="flag-reason">{f.reason}</span>
                  <span className="muted small">since {formatTime(f.since)}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Segments" testId="segments">
          {v.segments.length === 0 ? (
            <Empty>In no segment.</Empty>
          ) : (
            <ul className="segment-list">
              {v.segments.map((s) => (
                <li key={s.segmentId}>
                  <Link to={`/segments/${encodeURIComponent(s.segmentId)}`} className="chip">
                    {s.segmentId}
                  </Link>
                  <span className="muted small">{s.reason}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <Card title="Products" testId="products">
        {v.products.length === 0 ? (
          <Empty>No products.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Product</th>
                <th>Type</th>
                <th>Status</th>
                <th>Opened</th>
                <th className="num">Balance</th>
                <th>Balance as of</th>
              </tr>
            </thead>
            <tbody>
              {v.products.map((x) => (
                <tr key={x.productId}>
                  <td className="mono">{x.productId}</td>
                  <td>{x.productType}</td>
                  <td>
                    <Badge tone={x.status === 'open' ? 'ok' : 'muted'}>{x.status}</Badge>
                  </td>
                  <td>{formatTime(x.openedAt)}</td>
                  <td className="num mono" data-testid={`balance-${x.productId}`}>
                    {formatMinor(x.balanceMinor, x.currency)}
                  </td>
                  <td>{formatTime(x.balanceAsOf)}</td>
                </tr>
              ))}
            </tbody>
            {Object.keys(v.relationshipBalanceMinor).length > 0 ? (
              <tfoot>
                {Object.entries(v.relationshipBalanceMinor).map(([ccy, minor]) => (
                  <tr key={ccy}>
                    <td colSpan={4}>Relationship balance</td>
                    <td className="num mono">{formatMinor(minor, ccy)}</td>
                    <td />
                  </tr>
                ))}
              </tfoot>
            ) : null}
          </table>
        )}
      </Card>

      <div className="grid-2">
        <Card title="Profile" testId="profile">
          <dl className="dl">
            <dt>Customer number</dt>
            <dd className="mono">{p.customerNumber ?? '—'}</dd>
            <dt>National id</dt>
            <dd className="mono" data-testid="national-id">
              <Personal value={p.nationalId} />
            </dd>
            <dt>Birth date</dt>
            <dd>
              <Personal value={p.birthDate} />
            </dd>
            <dt>Phone</dt>
            <dd className="mono">
              <Personal value={p.phone} />
            </dd>
            <dt>Email</dt>
            <dd>
              <Personal value={p.email} />
            </dd>
            <dt>Address</dt>
            <dd>
              <Personal value={p.address} />
            </dd>
            <dt>Registered</dt>
            <dd>{formatTime(p.registeredAt)}</dd>
          </dl>
        </Card>
        <Card title="Channel identities" testId="identities">
          {v.identities.length === 0 ? (
            <Empty>No linked identities.</Empty>
          ) : (
            <table className="table compact">
              <thead>
                <tr>
                  <th>Scheme</th>
                  <th>Value</th>
                  <th>Linked</th>
                </tr>
              </thead>
              <tbody>
                {v.identities.map((i) => (
                  <tr
                    key={`${i.scheme}-${i.linkedAt}-${typeof i.value === 'string' ? i.value : ''}`}
                  >
                    <td>{i.scheme}</td>
                    <td className="mono">
                      <Personal value={i.value} />
                    </td>
                    <td>{formatTime(i.linkedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3 className="subhead">Interactions</h3>
          {CHANNELS.some((c) => (v.interactions.last90Days[c] ?? 0) > 0) ? (
            <ChannelChart
              channels={CHANNELS}
              last30={CHANNELS.map((c) => v.interactions.last30Days[c] ?? 0)}
              last90={CHANNELS.map((c) => v.interactions.last90Days[c] ?? 0)}
            />
          ) : (
            <Empty>No channel interactions in the last 90 days.</Empty>
          )}
        </Card>
      </div>

      <Timeline customerId={id} />
      <p className="muted small">
        Revision {v.revision} · evaluated at {formatTime(v.at)} · {v.view} view
      </p>
    </div>
  );
}

function Breadcrumb(props: { id: string }): ReactNode {
  return (
    <div className="breadcrumb">
      <Link to="/">Customers</Link> / <span className="mono">{props.id}</span>
    </div>
  );
}

function Stat(props: { label: string; value: ReactNode; testId?: string }): ReactNode {
  return (
    <div className="stat">
      <div className="stat-label">{props.label}</div>
      <div className="stat-value" data-testid={props.testId}>
        {props.value}
      </div>
    </div>
  );
}

function Timeline(props: { customerId: string }): ReactNode {
  const id = props.customerId;
  const pages = useInfiniteQuery({
    queryKey: ['timeline', id],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      apiFetch<TimelinePage>(
        `/v1/customers/${encodeURIComponent(id)}/timeline${qs({ cursor: pageParam, limit: 25 })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = pages.data?.pages.flatMap((pg) => pg.items) ?? [];
  return (
    <Card title="Timeline" testId="timeline">
      {pages.isError ? <ProblemBox error={pages.error} what="the timeline" /> : null}
      {pages.isPending ? <Loading /> : null}
      {!pages.isPending && items.length === 0 ? <Empty>No events.</Empty> : null}
      {items.length > 0 ? (
        <ol className="timeline">
          {items.map((t) => (
            <li key={t.eventId} className="timeline-item">
              <span className="timeline-time">{formatTime(t.occurredAt)}</span>
              <span className={`timeline-dot dot-${t.channel ?? 'none'}`} />
              <span className="timeline-body">
                <span className="timeline-type">{t.type}</span>
                {t.channel ? <Badge tone="muted">{t.channel}</Badge> : null}
                <span className="timeline-summary">{t.summary}</span>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {pages.hasNextPage ? (
        <button
          type="button"
          onClick={() => void pages.fetchNextPage()}
          disabled={pages.isFetchingNextPage}
        >
          {pages.isFetchingNextPage ? 'Loading…' : 'Older events'}
        </button>
      ) : null}
    </Card>
  );
}
