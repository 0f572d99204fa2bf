import type { ReactNode } from 'react';
import { ApiError } from './api';
import { percent } from './lib/format';

/** A problem+json answer, said plainly: what it means for the operator, then the API's own words. */
export function ProblemBox(props: { error: unknown; what?: string }): ReactNode {
  const e = props.error;
  if (!(e instanceof ApiError))
    return (
      <div className="problem" role="alert">
        {e instanceof Error ? e.message : String(e)}
      </div>
    );
  const p = e.problem;
  const headline =
    p.status === 401
      ? 'Your token was not accepted (401): it is missing, expired or not signed by this platform. Sign in again.'
      : p.status === 403
        ? `Your token lacks the scope for ${props.what ?? 'this'} (403).`
        : p.status === 404
          ? `Not found (404)${props.what ? `: ${props.what}` : ''}.`
          : p.status === 429
            ? 'Too many requests (429): wait a moment.'
            : p.status === 0
              ? p.title
              : `${p.title} (${p.status})`;
  return (
    <div className={`problem problem-${p.status}`} role="alert" data-testid="problem">
      <strong>{headline}</strong>
      {p.detail ? <div className="problem-detail">{p.detail}</div> : null}
      {p.code ? <div className="problem-code">code: {p.code}</div> : null}
    </div>
  );
}

export function Card(props: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}): ReactNode {
  return (
    <section className={`card ${props.className ?? ''}`} data-testid={props.testId}>
      {props.title !== undefined || props.actions !== undefined ? (
        <header className="card-head">
          <h2>{props.title}</h2>
          <div className="card-actions">{props.actions}</div>
        </header>
      ) : null}
      {props.children}
    </section>
  );
}

export function Badge(props: {
  tone?: 'ok' | 'warn' | 'bad' | 'info' | 'muted';
  children: ReactNode;
  testId?: string;
}): ReactNode {
  return (
    <span className={`badge badge-${props.tone ?? 'muted'}`} data-testid={props.testId}>
      {props.children}
    </span>
  );
}

export function Loading(): ReactNode {
  return <div className="loading">Loading…</div>;
}

export function Empty(props: { children: ReactNode }): ReactNode {
  return <div className="empty">{props.children}</div>;
}

export function ProgressBar(props: {
  progress: number;
  total: number;
  done?: boolean;
  testId?: string;
}): ReactNode {
  const pct = props.done ? 100 : percent(props.progress, props.total);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuenow={pct}
      aria-valuemin={0}
      aria-valuemax={100}
      data-testid={props.testId}
    >
      <progress
        className={`progress-bar ${props.done ? 'progress-done' : ''}`}
        value={pct}
        max={100}
      />
      <span className="progress-label">{pct}%</span>
    </div>
  );
}

/** Risk 0-100 as a small meter, coloured by band. */
export function RiskMeter(props: { score: number | null }): ReactNode {
  if (props.score === null) return <span className="muted">—</span>;
  const tone = props.score >= 60 ? 'bad' : props.score >= 30 ? 'warn' : 'ok';
  return (
    <span className={`risk risk-${tone}`}>
      <meter min={0} max={100} low={30} high={60} optimum={0} value={props.score} />
      <span className="risk-value">{props.score}</span>
    </span>
  );
}

export const tierTone = (tier: string | null): 'info' | 'ok' | 'warn' | 'muted' =>
  tier === 'top' ? 'info' : tier === 'important' ? 'ok' : tier === 'core' ? 'warn' : 'muted';
