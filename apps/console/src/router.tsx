import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

/** A tiny history router under /console (the platform answers every /console/* with the page). */
export const BASE = '/console';

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  window.history.pushState(null, '', `${BASE}${to}`);
  listeners.forEach((l) => l());
}

/** The path within the console ("/", "/customers/C1", …) and its query string. */
export function useRoute(): { path: string; search: URLSearchParams } {
  const read = () => ({
    path: window.location.pathname.startsWith(BASE)
      ? window.location.pathname.slice(BASE.length) || '/'
      : '/',
    search: new URLSearchParams(window.location.search),
  });
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  testId?: string;
}): ReactNode {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={`${BASE}${props.to}`}
      onClick={onClick}
      className={props.className}
      data-testid={props.testId}
    >
      {props.children}
    </a>
  );
}
