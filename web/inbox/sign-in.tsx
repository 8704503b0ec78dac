import { isApiError } from '@herald/client';
import { useHeraldClient } from '@herald/client/react';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { problemOf, setProblem } from './problems.js';

/** Email and password; the session is the HttpOnly cookie the login sets. */
export function SignIn({ notice }: { notice: string | null }) {
  const client = useHeraldClient();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const password = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const { data } = await client.auth.login(String(form.get('email')), String(form.get('password')));
      setProblem(null);
      queryClient.clear();
      queryClient.setQueryData(['me'], { success: true, user: data.user });
    } catch (err) {
      setError(isApiError(err) && err.status === 401 ? 'Wrong email or password.' : problemOf(err).message);
      password.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" tabIndex={-1} className="narrow">
      <section className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to your notifications</h1>
        {notice ? <p className="notice" role="status">{notice}</p> : null}
        <form className="stack" onSubmit={submit}>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required ref={password} />
          <p className="form-error" role="alert">{error}</p>
          <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        </form>
      </section>
    </main>
  );
}
