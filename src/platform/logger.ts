import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

const SECRET_PARAMS = /([?&](?:token|access_token|key)=)[^&#]*/gi;
export const redactUrl = (url: string) => url.replace(SECRET_PARAMS, '$1[redacted]');

/** Structured JSON logs; secrets are redacted wherever they might travel. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.url'],
      // A request's URL keeps its path; only query values that are credentials (the unsubscribe
      // link's token) are hidden.
      censor: (value: unknown, path: string[]) => (path.at(-1) === 'url' && typeof value === 'string' ? redactUrl(value) : '[redacted]'),
    },
  };
  return destination ? pino(options, destination as never) : pino(options);
}

/**
 * The service process's log destination: stdout, asynchronous as pino's default, but one whose
 * flush waits for the write in flight (minLength 1; at 0 flush calls back at once). It exists for
 * flushLog before process.exit: pino writes what is left synchronously on exit and, when stdout is
 * a pipe whose reader has gone, sonic-boom 4 retries that write forever, so a service whose log
 * reader died never exited on SIGTERM. A flushed write that failed with EPIPE makes pino drop the
 * destination, leaving nothing to retry.
 */
export function stdoutDestination(): NodeJS.WritableStream {
  return pino.destination({ dest: 1, sync: false, minLength: 1 }) as unknown as NodeJS.WritableStream;
}

/** Resolves once the log's pending writes have finished or failed, or after `ms`. */
export function flushLog(log: Logger, ms = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    log.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
