import { isApiError } from '@herald/client';
import { shouldRetry, useHeraldClient } from '@herald/client/react';
import { useQuery } from '@tanstack/react-query';
import { Banner } from './banner.js';
import { Inbox } from './inbox.js';
import { useProblem } from './problems.js';
import { SignIn } from './sign-in.js';

/** Signed in: the inbox; not (or no longer): the sign-in form. */
export function App() {
  const client = useHeraldClient();
  const problem = useProblem();
  const me = useQuery({ queryKey: ['me'], queryFn: ({ signal }) => client.auth.me({ signal }), retry: shouldRetry, staleTime: Infinity });

  if (me.isPending) return <p className="loading" role="status">Loading…</p>;
  const unauthorized = me.isError && isApiError(me.error) && me.error.kind === 'unauthorized';
  if (unauthorized || problem?.kind === 'signed-out') {
    return <SignIn notice={problem?.kind === 'signed-out' && me.data ? problem.message : null} />;
  }
  if (!me.data) {
    return (
      <>
        <Banner />
        <main id="main" tabIndex={-1} className="narrow">
          <p>The inbox could not be loaded.</p>
          <button type="button" onClick={() => void me.refetch()}>Try again</button>
        </main>
      </>
    );
  }
  return <Inbox user={me.data.user} />;
}
