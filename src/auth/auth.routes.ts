import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { loginResultBody, meBody } from './auth.responses.js';
import { SESSION_COOKIE } from '../platform/http/auth.js';
import { successBody } from '../platform/http/route-doc.js';
import { ok } from '../platform/http/reply.js';
import type { Http } from '../platform/http/zod-provider.js';
import { changePasswordBody, loginBody } from './auth.schemas.js';
import type { AuthService } from './auth.service.js';

/**
 * COOKIE_SECURE with PUBLIC_URL. `auto` is Secure when PUBLIC_URL is https (browsers reach the
 * service over TLS, whatever the last hop to it is: a TLS-terminating proxy whose TRUST_PROXY was
 * forgotten still gets Secure), else when the request came over TLS: its own socket's, or
 * X-Forwarded-Proto from a TRUST_PROXY proxy (Fastify's request.protocol; a client that is not a
 * trusted proxy cannot set it).
 */
type CookieSettings = Config['http']['cookie'] & { readonly publicUrl: string | undefined };

/**
 * The session cookie. SameSite=Lax (the default) already reaches a frontend on a sibling origin of
 * the same site (app.example.com → api.example.com); a frontend on another site needs
 * COOKIE_SAMESITE=none, which forces Secure (browsers drop it otherwise).
 */
function setSessionCookieWith(settings: CookieSettings, request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date | null) {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: settings.sameSite,
    // The scheme as URL reads it: config accepts HTTPS:// as well.
    secure: settings.secure === 'auto' ? (settings.publicUrl !== undefined && new URL(settings.publicUrl).protocol === 'https:') || request.protocol === 'https' : settings.secure,
    ...(settings.domain ? { domain: settings.domain } : {}),
    ...(expiresAt ? { expires: expiresAt } : { maxAge: 0 }),
  });
}

export interface AuthRoutesDeps {
  readonly auth: Pick<AuthService, 'login' | 'logout' | 'changePassword'>;
  readonly cookie: CookieSettings;
}

export function authRoutes(app: Http, deps: AuthRoutesDeps): void {
  const { auth } = deps;
  const setSessionCookie = setSessionCookieWith.bind(null, deps.cookie);
  app.post('/api/auth/login', { schema: { body: loginBody }, config: { access: 'public', openapi: {
    summary: 'Sign in', description: 'Sets the HttpOnly session cookie and returns the same token for `Authorization: Bearer`. Limited per IP and per email and IP (docs/OPERATIONS.md, Login throttling).',
    tags: ['auth'], response: loginResultBody, errors: { 401: 'Invalid email or password', 429: 'Too many requests. Please try again later. (per IP; failed attempts per email and IP; an account under attack from many IPs is slowed for addresses it never signed in from)' },
  } } }, async (request, reply) => {
    const { email, password } = request.body;
    const result = await auth.login(email, password, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    // The browser's previous session (its cookie is replaced now) ends: no session outlives a sign-in over it.
    if (request.authVia === 'cookie' && request.sessionToken && request.user) await auth.logout(request.sessionToken, request.user.sessionId);
    setSessionCookie(request, reply, result.token, result.expiresAt);
    return ok({ user: result.user, token: result.token });
  });

  app.post('/api/auth/password', { schema: { body: changePasswordBody }, config: { access: 'user', openapi: {
    summary: 'Change the password (signs out every session)',
    description: 'Checks `currentPassword` (wrong ones count as failed sign-ins of the account), sets `newPassword` (8+ characters, not the current one, not the email), '
      + 'revokes every session of the user in every API process, and answers with a new session (also set as the cookie).',
    tags: ['auth'], response: loginResultBody,
    errors: { 429: 'Too many requests. Please try again later. (failed attempts per account and IP)' },
  } } }, async (request, reply) => {
    const result = await auth.changePassword(request.user!, request.body, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    setSessionCookie(request, reply, result.token, result.expiresAt);
    return ok({ user: result.user, token: result.token });
  });

  app.post('/api/auth/logout', { config: { access: 'user', openapi: { summary: 'Sign out (revokes the session everywhere)', tags: ['auth'], response: successBody } } }, async (request, reply) => {
    if (request.sessionToken) await auth.logout(request.sessionToken, request.user!.sessionId);
    setSessionCookie(request, reply, '', null);
    return { success: true };
  });

  app.get('/api/auth/me', { config: { access: 'user', openapi: { summary: 'The signed-in user', tags: ['auth'], response: meBody } } }, async (request) => {
    const { id, email, name, role } = request.user!;
    return { success: true, user: { id, email, name, role } };
  });
}
