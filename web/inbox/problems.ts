import { isApiError, type ApiError } from '@herald/client';
import { useSyncExternalStore } from 'react';

/**
 * The page-wide state of things going wrong, fed by every failed query and mutation: a 401 signs
 * the page out, the rest become one banner (rate limit with its countdown, server error, offline…).
 */
export interface Problem {
  readonly kind: 'signed-out' | 'forbidden' | 'not-found' | 'rate-limited' | 'server' | 'unavailable' | 'offline' | 'invalid' | 'other';
  readonly message: string;
  /** Epoch ms when a rate limit lifts. */
  readonly until?: number;
}

let current: Problem | null = null;
const listeners = new Set<() => void>();

export const getProblem = (): Problem | null => current;

/** A call went through: connectivity problems are over (a rate limit lifts on its own clock). */
export function recovered(): void {
  if (current && ['offline', 'server', 'unavailable'].includes(current.kind)) setProblem(null);
}

export function setProblem(problem: Problem | null): void {
  current = problem;
  for (const listener of listeners) listener();
}

export function useProblem(): Problem | null {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, () => current);
}

/** What a person is told for each way a call can fail (the guide's error checklist). */
export function problemOf(error: unknown): Problem {
  if (!isApiError(error)) return { kind: 'other', message: 'Something unexpected happened. Reload the page to try again.' };
  const e: ApiError = error;
  switch (e.kind) {
    case 'unauthorized': return { kind: 'signed-out', message: 'Your session has ended. Please sign in again.' };
    case 'forbidden': return { kind: 'forbidden', message: 'You do not have permission to do that.' };
    case 'not-found': return { kind: 'not-found', message: e.message === 'Notification not found' ? 'That notification no longer exists.' : 'That was not found.' };
    case 'rate-limited': {
      const seconds = e.retryAfter ?? 60;
      const limit = e.rateLimit ? ` (limit ${e.rateLimit.limit} per minute)` : '';
      return { kind: 'rate-limited', message: `Too many requests${limit}.`, until: Date.now() + seconds * 1000 };
    }
    case 'network': return { kind: 'offline', message: 'You are offline. Showing what was last loaded; it will refresh when the connection is back.' };
    case 'unavailable': return { kind: 'unavailable', message: 'The service is temporarily unavailable. Please try again in a moment.' };
    case 'server': return { kind: 'server', message: `Something went wrong on our side (${e.status}). Please try again.` };
    case 'invalid': return { kind: 'invalid', message: describeInvalid(e) };
    default: return { kind: 'other', message: e.message };
  }
}

/** "Invalid request body: timezone must be an IANA time zone…" from the 400's details. */
export function describeInvalid(error: ApiError): string {
  const issues = Array.isArray(error.details) ? error.details as Array<{ path?: unknown[]; message?: string }> : [];
  const parts = issues.slice(0, 3).map((i) => `${(i.path ?? []).join('.') || 'request'}: ${i.message ?? 'invalid'}`);
  return parts.length ? `${error.message} (${parts.join('; ')})` : error.message;
}
