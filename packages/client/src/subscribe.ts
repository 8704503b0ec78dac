import { ApiError } from './errors.js';
import { sleep, type HttpClient } from './http.js';
import type { InboxChange, Notification, UnreadCounts } from './types.js';

export type StreamStatus = 'connecting' | 'open' | 'polling' | 'closed';

export interface SubscribeOptions {
  readonly onNotification?: (notification: Notification) => void;
  /** The feed's unread count; `counts` adds `unseen` (the bell's badge). */
  readonly onUnreadCount?: (count: number, counts: UnreadCounts) => void;
  /**
   * Some notifications changed (read, archived, snoozed, woken… in this tab, another, or by the
   * server): the `notifications-changed` event. An `unread-count` follows it. Not heard while polling.
   */
  readonly onNotificationsChanged?: (change: InboxChange) => void;
  readonly onStatus?: (status: StreamStatus) => void;
  /**
   * The server could not replay everything missed while away (too many, or too large, since
   * `lastEventId`): refetch the inbox and the count instead of relying on the replay.
   */
  readonly onResync?: () => void;
  /**
   * Each failed connection or poll; a 401/403 also ends the subscription (status `closed`), and so
   * does the server ending the stream because its session expired or was revoked (a 401 here).
   */
  readonly onError?: (error: unknown) => void;
  /** Resume after this event (a stored `lastEventId`): missed notifications are replayed. */
  readonly lastEventId?: string;
  /** Failed connections in a row before polling starts (the stream keeps being retried). Default 3. */
  readonly failuresBeforePolling?: number;
  /** Default 30 s, as the guide's polling. */
  readonly pollIntervalMs?: number;
  /** Reconnect backoff cap; the first delay is the server's `retry:` (3 s). Default 30 s. */
  readonly maxReconnectDelayMs?: number;
  readonly signal?: AbortSignal;
}

export interface Subscription {
  readonly status: StreamStatus;
  /** Id of the last event received: pass it as `lastEventId` to resume later. */
  readonly lastEventId: string | null;
  close(): void;
}

interface SseEvent { event: string; data: string; id: string | null; retry: number | null }

/** Splits an SSE byte stream into events (WHATWG rules: fields per line, blank line ends an event). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event: SseEvent = { event: 'message', data: '', id: null, retry: null };
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length || event.retry !== null) yield { ...event, data: data.join('\n') };
          event = { event: 'message', data: '', id: null, retry: null };
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id') event.id = text;
        else if (field === 'retry' && /^\d+$/.test(text)) event.retry = Number(text);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Follows GET /api/notifications/stream: reconnects with Last-Event-ID (so nothing is missed),
 * falls back to polling the unread count and the unread list while the stream cannot be had,
 * and goes back to the stream when it returns. Works with cookie or bearer auth (fetch, not EventSource).
 */
export function subscribe(http: HttpClient, options: SubscribeOptions = {}): Subscription {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const seen = new Set<string>();
  let lastEventId = options.lastEventId ?? null;
  let status: StreamStatus = 'connecting';
  let pollRound = 0;
  let retryMs = 3_000;

  const setStatus = (next: StreamStatus) => {
    if (status === next || status === 'closed') return;
    status = next;
    options.onStatus?.(next);
  };
  const notify = (n: Notification) => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    if (seen.size > 1_000) seen.delete(seen.values().next().value!);
    options.onNotification?.(n);
  };
  const fatal = (error: unknown) => error instanceof ApiError && (error.status === 401 || error.status === 403);
  const fail = (error: unknown) => {
    options.onError?.(error);
    if (fatal(error)) close();
  };

  async function poll(round: number): Promise<void> {
    let first = true;
    while (status === 'polling' && round === pollRound) {
      try {
        const [count, unread] = await Promise.all([
          http.call('GET /api/notifications/unread-count', { signal: controller.signal }),
          http.call('GET /api/notifications', { query: { read: false, pageSize: 50 }, signal: controller.signal }),
        ]);
        // The first poll learns what is already there; later ones report what is new.
        const learning = first && !seen.size;
        for (const n of [...unread.data].reverse()) {
          if (learning) seen.add(n.id);
          else notify(n);
        }
        first = false;
        options.onUnreadCount?.(count.data.count, count.data);
      } catch (error) {
        if (controller.signal.aborted) return;
        fail(error);
      }
      await sleep(options.pollIntervalMs ?? 30_000, controller.signal).catch(() => undefined);
    }
  }

  async function connect(): Promise<void> {
    const response = await http.fetch(http.url('/api/notifications/stream'), {
      headers: { accept: 'text/event-stream', ...http.authHeaders(), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      credentials: http.credentials,
      signal: controller.signal,
    }).catch((cause: unknown) => {
      throw controller.signal.aborted ? cause : new ApiError({ status: 0, message: 'Network error: the stream could not be reached', method: 'GET', path: '/api/notifications/stream', cause });
    });
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => null) as { error?: string } | null;
      throw new ApiError({ status: response.status, message: body?.error ?? `HTTP ${response.status}`, method: 'GET', path: '/api/notifications/stream' });
    }
    setStatus('open');
    for await (const event of readSse(response.body)) {
      if (event.retry !== null) retryMs = event.retry;
      if (event.id) lastEventId = event.id;
      if (event.event === 'notification') notify(JSON.parse(event.data) as Notification);
      else if (event.event === 'unread-count') {
        const counts = JSON.parse(event.data) as UnreadCounts;
        options.onUnreadCount?.(counts.count, counts);
      } else if (event.event === 'notifications-changed') options.onNotificationsChanged?.(JSON.parse(event.data) as InboxChange);
      else if (event.event === 'resync') options.onResync?.();
      else if (event.event === 'closed' && (JSON.parse(event.data) as { reason?: string }).reason === 'session-ended') {
        // Reconnecting would only meet a 401: the session is over, so is the subscription.
        throw new ApiError({ status: 401, message: 'Unauthorized: the session ended', method: 'GET', path: '/api/notifications/stream' });
      }
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (status !== 'closed') {
      if (status !== 'polling') setStatus('connecting');
      try {
        await connect();
        failures = 0; // it was open, then the server ended it (restart, deploy): reconnect soon
      } catch (error) {
        if (controller.signal.aborted) return;
        failures++;
        fail(error);
        if ((status as StreamStatus) === 'closed') return;
      }
      if (failures >= (options.failuresBeforePolling ?? 3) && status !== 'polling') {
        setStatus('polling');
        void poll(++pollRound);
      }
      const delay = failures === 0 ? retryMs : Math.min(retryMs * 2 ** (failures - 1), options.maxReconnectDelayMs ?? 30_000);
      await sleep(delay, controller.signal).catch(() => undefined);
    }
  }

  function close(): void {
    if (status === 'closed') return;
    options.onStatus?.('closed');
    status = 'closed';
    controller.abort();
  }

  void run();
  return {
    get status() {
      return status;
    },
    get lastEventId() {
      return lastEventId;
    },
    close,
  };
}
