import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { apiFetch, qs } from '../api';
import { Link, navigate } from '../router';
import type { LookupResult } from '../types';
import { Card, ProblemBox } from '../ui';

const SCHEMES = [
  { value: 'customer-id', label: 'Customer id' },
  { value: 'customer-number', label: 'Customer number' },
  { value: 'mobile-user', label: 'Mobile user id' },
  { value: 'phone', label: 'Phone (E.164)' },
  { value: 'card', label: 'Card token' },
  { value: 'national-id', label: 'National id' },
];

/** Find a customer by id or by a channel identity (the lookup endpoint). */
export function SearchPage(): ReactNode {
  const [scheme, setScheme] = useState('customer-id');
  const [value, setValue] = useState('');
  const lookup = useMutation({
    mutationFn: (v: { scheme: string; id: string }) =>
      apiFetch<LookupResult>(`/v1/customers:lookup${qs({ channel: v.scheme, id: v.id })}`),
    onSuccess: (r) => {
      const only = r.customers.length === 1 ? r.customers[0] : undefined;
      if (only) navigate(`/customers/${encodeURIComponent(only.customerId)}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = value.trim();
    if (!id) return;
    if (scheme === 'customer-id') navigate(`/customers/${encodeURIComponent(id)}`);
    else lookup.mutate({ scheme, id });
  };
  return (
    <div className="page narrow">
      <h1>Find a customer</h1>
      <Card>
        <form className="search-form" onSubmit={submit} aria-label="Find a customer">
          <label className="field">
            <span>Search by</span>
            <select
              name="scheme"
              value={scheme}
              onChange={(e) => setScheme(e.target.value)}
              data-testid="search-scheme"
            >
              {SCHEMES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span>Value</span>
            <input
              name="q"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={scheme === 'customer-id' ? 'C000123' : 'identity value'}
              autoFocus
              data-testid="search-input"
            />
          </label>
          <button
            type="submit"
            className="primary"
            disabled={value.trim() === '' || lookup.isPending}
            data-testid="search-submit"
          >
            Search
          </button>
        </form>
        {lookup.isError ? (
          <ProblemBox error={lookup.error} what="a customer with that identity" />
        ) : null}
        {lookup.data && lookup.data.customers.length > 1 ? (
          <div className="lookup-results">
            <p>{lookup.data.customers.length} customers share this identity:</p>
            <ul>
              {lookup.data.customers.map((c) => (
                <li key={c.customerId}>
                  <Link to={`/customers/${encodeURIComponent(c.customerId)}`}>{c.customerId}</Link>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>
      <p className="muted small">
        Every customer view you open is recorded in the audit log with your token's subject.
      </p>
    </div>
  );
}
