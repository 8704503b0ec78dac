import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseArgs } from '../src/cli/args.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000, databaseUrl: undefined, redisUrl: undefined, smtpUrl: undefined, logLevel: 'info', queuePrefix: 'herald',
      login: { perIpPer15Min: 100, failedPerEmailPer15Min: 10 }, rateLimits: { enabled: true, perMinute: { 'notifications.list': 100 } },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable of the contract', () => {
    const config = loadConfig({
      PORT: '8080', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:1', SMTP_URL: 'smtp://h:25', EMAIL_FROM: 'A <a@b.c>',
      PUBLIC_URL: 'https://app.example.com/', ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'long-enough', SESSION_SECRET: 's'.repeat(32),
      LOG_LEVEL: 'debug', LOGIN_RATE_LIMIT: '5', RATE_LIMITS: 'off', RATE_LIMIT_OVERRIDES: 'notifications.list=7, admin.jobs=3',
    });
    expect(config).toMatchObject({
      port: 8080, databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:1', smtpUrl: 'smtp://h:25', emailFrom: 'A <a@b.c>',
      publicUrl: 'https://app.example.com', adminEmail: 'root@example.com', logLevel: 'debug', login: { perIpPer15Min: 5 },
      rateLimits: { enabled: false, perMinute: { 'notifications.list': 7, 'admin.jobs': 3, 'notifications.readAll': 10 } },
    });
  });

  it('names every bad variable, one line each', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', RATE_LIMITS: 'sometimes', SESSION_SECRET: 'short', RATE_LIMIT_OVERRIDES: 'nope=1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines.map((l) => l.split(' ')[2])).toEqual(['PORT', 'DATABASE_URL', 'SESSION_SECRET', 'RATE_LIMITS', 'RATE_LIMIT_OVERRIDES']);
    for (const line of lines) expect(line).toMatch(/^Invalid configuration: [A-Z_]+ .+/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });
});

describe('parseArgs', () => {
  it('splits words and flags in both spellings', () => {
    expect(parseArgs(['users', 'create', '--email', 'a@b.c', '--role=ADMIN', '--force'])).toEqual({
      words: ['users', 'create'], flags: { email: 'a@b.c', role: 'ADMIN', force: true },
    });
  });
});
