import type { ReactNode } from 'react';
import { ChurnPage } from './pages/churn-page';
import { CustomerPage } from './pages/customer-page';
import { DeadLettersPage } from './pages/dead-letters-page';
import { ProjectionsPage } from './pages/projections-page';
import { SearchPage } from './pages/search-page';
import { SegmentPage, SegmentsPage } from './pages/segments-page';
import { Link, useRoute } from './router';
import { SessionGate, useSession } from './session';

const NAV = [
  { to: '/', label: 'Customers', match: (p: string) => p === '/' || p.startsWith('/customers') },
  { to: '/segments', label: 'Segments', match: (p: string) => p.startsWith('/segments') },
  { to: '/churn', label: 'Churn flags', match: (p: string) => p.startsWith('/churn') },
  { to: '/projections', label: 'Projections', match: (p: string) => p.startsWith('/projections') },
  {
    to: '/dead-letters',
    label: 'Dead letters',
    match: (p: string) => p.startsWith('/dead-letters'),
  },
];

export function App(): ReactNode {
  return (
    <SessionGate>
      <Shell />
    </SessionGate>
  );
}

function Shell(): ReactNode {
  const { path } = useRoute();
  const { who, signOut } = useSession();
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark">c360</span> operator console
        </div>
        <nav className="nav" aria-label="Main">
          {NAV.map((n) => (
            <Link
              key={n.to}
              to={n.to}
              className={n.match(path) ? 'nav-link active' : 'nav-link'}
              testId={`nav-${n.label.toLowerCase().replace(/\s+/g, '-')}`}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who" title={who.scopes.join(' ')}>
          <span className="who-name" data-testid="who">
            {who.subject}
          </span>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main className="main">
        <Page path={path} />
      </main>
    </div>
  );
}

function Page(props: { path: string }): ReactNode {
  const segs = props.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = segs;
  if (first === undefined) return <SearchPage />;
  if (first === 'customers' && second !== undefined)
    return <CustomerPage key={second} customerId={second} />;
  if (first === 'segments' && second !== undefined)
    return <SegmentPage key={second} segmentId={second} />;
  if (first === 'segments') return <SegmentsPage />;
  if (first === 'churn') return <ChurnPage />;
  if (first === 'projections') return <ProjectionsPage />;
  if (first === 'dead-letters') return <DeadLettersPage />;
  return (
    <div className="empty">
      No such page. <Link to="/">Find a customer</Link>
    </div>
  );
}
