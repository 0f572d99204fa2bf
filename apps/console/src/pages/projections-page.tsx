import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { apiFetch } from '../api';
import { LagChart } from '../charts';
import { appendSample, formatCount, formatDuration, formatTime } from '../lib/format';
import { useSession } from '../session';
import type { ProjectionStatus, RebuildJob, RebuildState } from '../types';
import { Badge, Card, Empty, Loading, ProblemBox, ProgressBar } from '../ui';

const TERMINAL: ReadonlySet<RebuildState> = new Set(['done', 'cancelled', 'failed']);
const POLL_MS = 2_000;

/** Lag samples per projection, kept while the tab lives (the chart survives navigation). */
const lagHistory = new Map<string, [number, number][]>();
const jobsWatched = new Map<string, string>();

const stateTone = (s: string): 'ok' | 'warn' | 'bad' | 'muted' | 'info' =>
  s === 'live' || s === 'done'
    ? 'ok'
    : s === 'failed'
      ? 'bad'
      : s === 'catching-up' || s === 'starting' || s === 'building' || s === 'swapping'
        ? 'info'
        : s === 'no-workers' || s === 'paused' || s === 'cancelling'
          ? 'warn'
          : 'muted';

/** The API cancels a rebuild until its swap begins; after that it answers 409 (too late). */
const CANCELLABLE: ReadonlySet<RebuildState> = new Set(['pending', 'building']);

/** Projection status (polled), lag over time, and blue/green rebuilds with live progress. */
export function ProjectionsPage(): ReactNode {
  const [, setTick] = useState(0);
  const status = useQuery({
    queryKey: ['projections'],
    queryFn: () => apiFetch<{ projections: ProjectionStatus[] }>('/v1/ops/projections'),
    refetchInterval: POLL_MS,
    staleTime: 0,
  });
  useEffect(() => {
    if (!status.data) return;
    const now = status.dataUpdatedAt;
    for (const p of status.data.projections) {
      const series = lagHistory.get(p.name) ?? [];
      if (series[series.length - 1]?.[0] !== now)
        lagHistory.set(p.name, appendSample(series, [now, p.lag.events] as [number, number], 600));
    }
    setTick((t) => t + 1);
  }, [status.data, status.dataUpdatedAt]);

  if (status.isPending) return <Loading />;
  if (status.isError)
    return <ProblemBox error={status.error} what="projection status (ops:read)" />;
  const list = status.data.projections;
  return (
    <div className="page" data-testid="projections-page">
      <h1>Projections</h1>
      <Card
        title="Lag over time"
        actions={
          <span className="muted small">
            sampled every {POLL_MS / 1000} s while this page is open
          </span>
        }
      >
        <LagChart
          series={list.map((p) => ({ name: p.name, points: lagHistory.get(p.name) ?? [] }))}
        />
      </Card>
      {list.length === 0 ? <Empty>No projections.</Empty> : null}
      {list.map((p) => (
        <ProjectionCard key={p.name} p={p} />
      ))}
    </div>
  );
}

function ProjectionCard(props: { p: ProjectionStatus }): ReactNode {
  const p = props.p;
  const { can } = useSession();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [jobId, setJobId] = useState<string | null>(
    () => jobsWatched.get(p.name) ?? p.rebuild?.jobId ?? null,
  );
  useEffect(() => {
    if (jobId === null && p.rebuild) setJobId(p.rebuild.jobId);
  }, [jobId, p.rebuild]);
  const start = useMutation({
    mutationFn: () =>
      apiFetch<RebuildJob>(`/v1/ops/projections/${encodeURIComponent(p.name)}/rebuild`, {
        method: 'POST',
        body: {},
      }),
    onSuccess: (job) => {
      jobsWatched.set(p.name, job.id);
      setJobId(job.id);
      setConfirming(false);
      void client.invalidateQueries({ queryKey: ['projections'] });
    },
  });
  const rebuilding = p.rebuild !== null && !TERMINAL.has(p.rebuild.state as RebuildState);
  return (
    <Card
      testId={`projection-${p.name}`}
      title={
        <>
          <span className="mono">{p.name}</span>{' '}
          <Badge tone={stateTone(p.state)} testId={`projection-state-${p.name}`}>
            {p.state}
          </Badge>
        </>
      }
      actions={
        can('ops:replay') ? (
          confirming ? (
            <span className="confirm">
              <span className="small">Rebuild {p.name} into a shadow copy and swap it in?</span>
              <button
                type="button"
                className="primary"
                onClick={() => start.mutate()}
                disabled={start.isPending}
                data-testid={`rebuild-confirm-${p.name}`}
              >
                Start rebuild
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button
              type="button"
              onClick={() => setConfirming(true)}
              disabled={rebuilding}
              data-testid={`rebuild-${p.name}`}
            >
              {rebuilding ? 'Rebuild running' : 'Rebuild…'}
            </button>
          )
        ) : (
          <span className="muted small">rebuild needs ops:replay</span>
        )
      }
    >
      <div className="kpis">
        <Kpi
          label="Lag (events)"
          value={`${formatCount(p.lag.events)}${p.lag.capped ? '+' : ''}`}
          testId={`lag-events-${p.name}`}
        />
        <Kpi label="Lag (time)" value={formatDuration(p.lag.seconds)} />
        <Kpi label="Rate" value={`${formatCount(p.ratePerSecond)} ev/s`} />
        <Kpi
          label="Position"
          value={
            p.position === null ? 'not started' : p.position === p.head ? 'at head' : 'behind head'
          }
          title={`position ${p.position ?? '—'} / head ${p.head ?? '—'}`}
        />
        <Kpi label="Workers · partitions" value={`${p.workers} · ${p.partitions}`} />
      </div>
      {p.lastError ? (
        <div className="problem" role="alert">
          <strong>
            Last error ({p.lastError.kind}
            {p.lastError.code ? `, ${p.lastError.code}` : ''}) at {formatTime(p.lastError.at)}
          </strong>
          <div className="problem-detail">{p.lastError.message}</div>
        </div>
      ) : null}
      {start.isError ? <ProblemBox error={start.error} what="a rebuild (ops:replay)" /> : null}
      {jobId !== null ? (
        <JobProgress
          jobId={jobId}
          onDone={() => void client.invalidateQueries({ queryKey: ['projections'] })}
        />
      ) : null}
    </Card>
  );
}

function Kpi(props: {
  label: string;
  value: string;
  mono?: boolean;
  testId?: string;
  title?: string;
}): ReactNode {
  return (
    <div className="kpi" title={props.title}>
      <div className="kpi-label">{props.label}</div>
      <div className={`kpi-value ${props.mono ? 'mono' : ''}`} data-testid={props.testId}>
        {props.value}
      </div>
    </div>
  );
}

/** A rebuild job, polled every second until it ends; it can be cancelled until its swap begins. */
function JobProgress(props: { jobId: string; onDone: () => void }): ReactNode {
  const client = useQueryClient();
  const { can } = useSession();
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const job = useQuery({
    queryKey: ['job', props.jobId],
    queryFn: () => apiFetch<RebuildJob>(`/v1/ops/jobs/${encodeURIComponent(props.jobId)}`),
    refetchInterval: (q) => (q.state.data && TERMINAL.has(q.state.data.state) ? false : 1_000),
    staleTime: 0,
  });
  const finished = job.data !== undefined && TERMINAL.has(job.data.state);
  const { onDone } = props;
  useEffect(() => {
    if (finished) onDone();
  }, [finished, onDone]);
  // DELETE answers once the rebuilding process has stopped and dropped the shadow (or with a
  // problem: nothing to cancel, too late once the swap began).
  const cancel = useMutation({
    mutationFn: (projection: string) =>
      apiFetch<RebuildJob>(`/v1/ops/projections/${encodeURIComponent(projection)}/rebuild`, {
        method: 'DELETE',
      }),
    onSuccess: (cancelled) => {
      setConfirmingCancel(false);
      if (cancelled.id === props.jobId) client.setQueryData(['job', props.jobId], cancelled);
      void client.invalidateQueries({ queryKey: ['job', props.jobId] });
    },
    onError: () => {
      setConfirmingCancel(false);
      void client.invalidateQueries({ queryKey: ['job', props.jobId] });
    },
  });
  if (job.isPending) return <Loading />;
  if (job.isError) return <ProblemBox error={job.error} what={`rebuild job ${props.jobId}`} />;
  const j = job.data;
  const cancellable = can('ops:replay') && CANCELLABLE.has(j.state) && !cancel.isPending;
  return (
    <div className="job" data-testid="rebuild-job" data-state={j.state}>
      <div className="job-head">
        <span>
          Rebuild <span className="mono small">{j.id.slice(0, 8)}</span> ({j.kind})
        </span>
        <Badge tone={stateTone(j.state)} testId="rebuild-state">
          {j.state}
        </Badge>
        {cancel.isPending || j.state === 'cancelling' ? (
          <span className="muted small" data-testid="rebuild-cancelling">
            cancelling: stopping the rebuild and dropping its shadow copy…
          </span>
        ) : cancellable && confirmingCancel ? (
          <span className="confirm">
            <span className="small">
              Stop this rebuild and drop its shadow copy? The live read model stays as it is.
            </span>
            <button
              type="button"
              className="danger"
              onClick={() => cancel.mutate(j.projection)}
              data-testid="rebuild-cancel-confirm"
            >
              Cancel rebuild
            </button>
            <button type="button" onClick={() => setConfirmingCancel(false)}>
              Keep running
            </button>
          </span>
        ) : cancellable ? (
          <button
            type="button"
            className="danger"
            onClick={() => setConfirmingCancel(true)}
            data-testid="rebuild-cancel"
          >
            Cancel…
          </button>
        ) : null}
      </div>
      <ProgressBar
        progress={j.progress}
        total={j.total}
        done={j.state === 'done'}
        testId="rebuild-progress"
      />
      <div className="job-meta muted small">
        {formatCount(j.progress)} of {formatCount(j.total)} events · {formatCount(j.ratePerSecond)}{' '}
        ev/s · ETA {finished ? '—' : formatDuration(j.etaSeconds)}
        {j.attempts > 1 ? ` · resumed (${j.attempts} attempts)` : ''}
        {j.finishedAt ? ` · finished ${formatTime(j.finishedAt)}` : ''}
      </div>
      {j.state === 'cancelled' ? (
        <div className="notice" role="status" data-testid="rebuild-cancelled">
          Rebuild {j.id.slice(0, 8)} cancelled: its shadow copy was dropped; the live read model was
          not changed.
        </div>
      ) : null}
      {j.error ? <div className="problem">{j.error}</div> : null}
      {j.diff ? (
        <div className="diff small">
          Before the swap: {formatCount(j.diff.differingCustomers)} customer rows differed from the
          live copy.{' '}
          {j.diff.counts
            .map((c) => `${c.table} ${formatCount(c.live)} → ${formatCount(c.shadow)}`)
            .join(' · ')}
        </div>
      ) : null}
      {cancel.isError ? (
        <ProblemBox error={cancel.error} what="cancelling the rebuild (ops:replay)" />
      ) : null}
    </div>
  );
}
