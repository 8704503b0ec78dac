import { createHeraldClient, isApiError } from '@herald/client';
import { HeraldProvider, retryDelay, shouldRetry } from '@herald/client/react';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { problemOf, recovered, setProblem } from './problems.js';

// The page's own origin and its HttpOnly session cookie; a 429 is shown, not silently waited out.
const client = createHeraldClient({ credentials: 'same-origin', retry: false });

const report = (error: unknown) => {
  // A list the person is not looking at failing to refresh in the background is not worth a banner.
  if (isApiError(error) && error.kind === 'not-found') return;
  setProblem(problemOf(error));
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: report, onSuccess: recovered }),
  // A 400 is the form's to explain, next to the fields.
  mutationCache: new MutationCache({ onError: (error) => (isApiError(error) && error.kind === 'invalid' ? undefined : setProblem(problemOf(error))), onSuccess: recovered }),
  defaultOptions: {
    // One quiet retry (after Retry-After, or 1 s), then the banner says what is wrong; polling and the stream go on.
    queries: { retry: (count, error) => count < 1 && shouldRetry(count, error), retryDelay, refetchOnWindowFocus: true },
    mutations: { retry: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <HeraldProvider client={client}>
        <App />
      </HeraldProvider>
    </QueryClientProvider>
  </StrictMode>,
);
