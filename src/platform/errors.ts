/**
 * Domain errors. Services throw these; the one HTTP error handler maps them to the contract's
 * status and body. Anything else becomes a 500 with no internals.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidError extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, message, details);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'Unauthorized') {
    super(401, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super(403, message);
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(404, message);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message);
  }
}
export class RateLimitedError extends AppError {
  constructor(headers: Record<string, string | number>) {
    super(429, 'Too many requests. Please try again later.', undefined, headers);
  }
}
export class UnavailableError extends AppError {
  constructor(message = 'Service unavailable') {
    super(503, message);
  }
}
