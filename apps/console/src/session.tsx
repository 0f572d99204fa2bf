import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, apiFetch, tokenStore } from './api';
import { ProblemBox } from './ui';
import type { WhoAmI } from './types';

interface Session {
  readonly who: WhoAmI;
  readonly can: (scope: string) => boolean;
  readonly signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the signed-in shell');
  return s;
}

/** Shows the sign-in box until a token the platform accepts is stored (sessionStorage only). */
export function SessionGate(props: { children: ReactNode }): ReactNode {
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  const client = useQueryClient();
  const who = useQuery({
    queryKey: ['whoami', token],
    queryFn: () => apiFetch<WhoAmI>('/v1/whoami'),
    enabled: token !== null,
  });

  const signOut = () => {
    tokenStore.clear();
    client.clear();
    setToken(null);
  };

  if (token === null || who.isError) {
    return (
      <SignIn
        error={who.error}
        onToken={(t) => {
          tokenStore.set(t);
          setToken(t);
        }}
      />
    );
  }
  if (!who.data) return <div className="center-note">Checking your token…</div>;
  const scopes = new Set(who.data.scopes);
  return (
    <SessionContext.Provider value={{ who: who.data, can: (s) => scopes.has(s), signOut }}>
      {props.children}
    </SessionContext.Provider>
  );
}

function SignIn(props: { error: Error | null; onToken: (token: string) => void }): ReactNode {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = value.trim().replace(/^Bearer\s+/i, '');
    if (t) props.onToken(t);
  };
  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} aria-label="Sign in">
        <div className="brand brand-large">
          <span className="brand-mark">c360</span> operator console
        </div>
        <p className="muted">
          Paste a bearer token. <code>npm start</code> prints a local one;{' '}
          <code>
            npx c360 token --scopes customers:read,segments:read,churn:read,ops:read,ops:replay
          </code>{' '}
          mints others. It is kept in this tab only.
        </p>
        {props.error instanceof ApiError ? <ProblemBox error={props.error} /> : null}
        <label htmlFor="token">Bearer token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="eyJhbGciOi…"
          spellCheck={false}
          autoFocus
        />
        <button type="submit" className="primary" disabled={value.trim() === ''}>
          Sign in
        </button>
      </form>
    </div>
  );
}
