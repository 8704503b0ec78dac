import { useEffect, useState } from 'react';
import { setProblem, useProblem } from './problems.js';

/** True while the browser says it has a network. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

function Countdown({ until }: { until: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= until) setProblem(null);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return <span aria-live="off"> Try again in {Math.max(1, Math.ceil((until - now) / 1000))} s.</span>;
}

/** The one place errors are shown: offline, rate limited, server errors, permissions, missing items. */
export function Banner() {
  const problem = useProblem();
  const online = useOnline();
  if (!online) {
    return <div className="banner" data-kind="offline" role="alert">You are offline. Showing what was last loaded; it will refresh when the connection is back.</div>;
  }
  if (!problem || problem.kind === 'signed-out') return null;
  return (
    <div className="banner" data-kind={problem.kind} role="alert">
      <span>{problem.message}</span>
      {problem.until ? <Countdown until={problem.until} /> : null}
      <button type="button" className="link" onClick={() => setProblem(null)}>Dismiss</button>
    </div>
  );
}
