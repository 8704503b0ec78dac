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
