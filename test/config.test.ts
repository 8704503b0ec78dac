import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseOptions, splitCommand, UsageError } from '../src/cli/args.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000, databaseUrl: undefined, redis: undefined, smtpUrl: undefined, logLevel: 'info', queuePrefix: 'herald',
      login: { perIpPer15Min: 100, failedPerEmailIpPer15Min: 10, slowAfterFailedPer15Min: 50, slowIntervalSec: 30 }, trustProxy: false,
      sse: { maxPerUser: 5, maxConnections: 5_000, sessionCheckMs: 60_000 }, rateLimits: { enabled: true, perMinute: { 'notifications.list': 100 } },
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
      port: 8080, databaseUrl: 'postgres://u@h/db', redis: { kind: 'url', url: 'redis://h:1' }, smtpUrl: 'smtp://h:25', emailFrom: 'A <a@b.c>',
      publicUrl: 'https://app.example.com', adminEmail: 'root@example.com', logLevel: 'debug', login: { perIpPer15Min: 5 },
      rateLimits: { enabled: false, perMinute: { 'notifications.list': 7, 'admin.jobs': 3, 'notifications.readAll': 10 } },
    });
  });

  it('reads MONITORING_TOKEN (unset by default), refusing one shorter than 16 characters', () => {
    expect(loadConfig({}).monitoringToken).toBeUndefined();
    expect(loadConfig({ MONITORING_TOKEN: 'm'.repeat(16) }).monitoringToken).toBe('m'.repeat(16));
    expect(() => loadConfig({ MONITORING_TOKEN: 'short' })).toThrow('Invalid configuration: MONITORING_TOKEN must be at least 16 characters');
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

  it('names every URL variable that is no URL, or not of its scheme, without echoing the value', () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: 'notaurl', REDIS_URL: 'not-a-url', SMTP_URL: 'mail.example.com', PUBLIC_URL: 'example.com',
        S3_ENDPOINT: 'ftp://s3.example.com', CLAMAV_URL: 'http://x:3310', PORT: 'x',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.split('\n')).toEqual([
      'Invalid configuration: PORT Invalid input: expected number, received NaN',
      'Invalid configuration: DATABASE_URL must be a URL starting with postgres:// or postgresql://',
      'Invalid configuration: REDIS_URL must be a URL starting with redis:// or rediss://',
      'Invalid configuration: SMTP_URL must be a URL starting with smtp:// or smtps://',
      'Invalid configuration: PUBLIC_URL must be a URL starting with http:// or https://',
      'Invalid configuration: S3_ENDPOINT must be a URL starting with http:// or https://',
      'Invalid configuration: CLAMAV_URL must be a URL starting with tcp:// or unix://',
    ]);
  });

  it('reads a Sentinel target: the sentinels, the master name and both passwords', () => {
    expect(loadConfig({
      REDIS_SENTINELS: '10.0.0.5:26379, sentinel-2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'herald', REDIS_PASSWORD: 'data-pw', REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    }).redis).toEqual({
      kind: 'sentinel', name: 'herald', password: 'data-pw', sentinelPassword: 'sentinel-pw',
      sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: 'sentinel-2', port: 26380 }, { host: '::1', port: 26381 }],
    });
    expect(loadConfig({ REDIS_SENTINELS: 'h:1', REDIS_SENTINEL_NAME: 'm' }).redis).toEqual({ kind: 'sentinel', name: 'm', sentinels: [{ host: 'h', port: 1 }] });
    expect(loadConfig({ REDIS_URL: 'redis://h:1', REDIS_PASSWORD: 'pw' }).redis).toEqual({ kind: 'url', url: 'redis://h:1', password: 'pw' });
  });

  it('reads a Redis Cluster target: some of its nodes and the password', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.5:7000, redis-b:7001,[::1]:7002', REDIS_PASSWORD: 'pw' }).redis).toEqual({
      kind: 'cluster', password: 'pw', nodes: [{ host: '10.0.0.5', port: 7000 }, { host: 'redis-b', port: 7001 }, { host: '::1', port: 7002 }],
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'h:7000' }).redis).toEqual({ kind: 'cluster', nodes: [{ host: 'h', port: 7000 }] });
  });

  it('refuses a Redis configuration that names no single target', () => {
    const message = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message.split('\n');
      }
      throw new Error('loadConfig accepted it');
    };
    expect(message({ REDIS_URL: 'redis://h:1', REDIS_SENTINELS: 'h:26379', REDIS_SENTINEL_NAME: 'm' })).toEqual(['Invalid configuration: REDIS_URL and REDIS_SENTINELS are both set (use one)']);
    expect(message({ REDIS_SENTINELS: 'h:26379' })).toEqual(['Invalid configuration: REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the master\'s name the sentinels monitor)']);
    expect(message({ REDIS_SENTINEL_NAME: 'm' })).toEqual(['Invalid configuration: REDIS_SENTINEL_NAME needs REDIS_SENTINELS']);
    expect(message({ REDIS_SENTINEL_PASSWORD: 'pw' })).toEqual(['Invalid configuration: REDIS_SENTINEL_PASSWORD needs REDIS_SENTINELS']);
    expect(message({ REDIS_PASSWORD: 'pw' })).toEqual(['Invalid configuration: REDIS_PASSWORD needs REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES']);
    expect(message({ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'h:7000' })).toEqual(['Invalid configuration: REDIS_URL and REDIS_CLUSTER_NODES are both set (use one)']);
    expect(message({ REDIS_SENTINELS: 'h:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'h:7000' })).toEqual(['Invalid configuration: REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set (use one)']);
    expect(message({ REDIS_URL: 'redis://h:1', REDIS_SENTINELS: 'h:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'h:7000' }))
      .toEqual(['Invalid configuration: REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES are all set (use one)']);
    expect(message({ REDIS_CLUSTER_NODES: 'h:7000,h' })[0]).toBe('Invalid configuration: REDIS_CLUSTER_NODES bad entry "h" (expected host:port, e.g. 10.0.0.5:6379)');
    for (const bad of ['h', 'h:', ':26379', 'h:0', 'h:70000', 'h:26379:1', ',']) {
      expect(message({ REDIS_SENTINELS: bad, REDIS_SENTINEL_NAME: 'm' })[0]).toMatch(/^Invalid configuration: REDIS_SENTINELS (bad entry ".*" \(expected host:port, e\.g\. 10\.0\.0\.5:26379\)|needs at least one host:port)$/);
    }
  });

  it('reads the read replica and its lag limit, and refuses a replica without DATABASE_URL', () => {
    expect(loadConfig({}).databaseRead).toEqual({ url: undefined, maxLagMs: 30_000 });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@p/db', DATABASE_READ_URL: 'postgres://u@r/db', DATABASE_READ_MAX_LAG_MS: '500' }).databaseRead)
      .toEqual({ url: 'postgres://u@r/db', maxLagMs: 500 });
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://u@r/db' })).toThrow('Invalid configuration: DATABASE_READ_URL needs DATABASE_URL (it is a replica of that database)');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@p/db', DATABASE_READ_URL: 'redis://r', DATABASE_READ_MAX_LAG_MS: '10' })).toThrow(
      'Invalid configuration: DATABASE_READ_URL must be a URL starting with postgres:// or postgresql://\nInvalid configuration: DATABASE_READ_MAX_LAG_MS Too small: expected number to be >=100',
    );
  });

  it('reads PgBouncer\'s two variables, and refuses a direct URL without DATABASE_URL', () => {
    expect(loadConfig({})).toMatchObject({ databaseDirectUrl: undefined, databasePreparedStatements: true });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@bouncer:6432/db', DATABASE_DIRECT_URL: 'postgres://u@pg:5432/db', DATABASE_PREPARED_STATEMENTS: 'false' }))
      .toMatchObject({ databaseDirectUrl: 'postgres://u@pg:5432/db', databasePreparedStatements: false });
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'true' }).databasePreparedStatements).toBe(true);
    expect(() => loadConfig({ DATABASE_DIRECT_URL: 'postgres://u@pg/db' })).toThrow('Invalid configuration: DATABASE_DIRECT_URL needs DATABASE_URL (it is the direct way to the same database)');
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@p/db', DATABASE_DIRECT_URL: 'mysql://pg', DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(
      /DATABASE_DIRECT_URL must be a URL starting with postgres:\/\/ or postgresql:\/\/\nInvalid configuration: DATABASE_PREPARED_STATEMENTS /,
    );
  });

  it('does not read NODE_ENV (any value starts)', () => {
    expect(() => loadConfig({ NODE_ENV: 'staging' })).not.toThrow();
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });
});

describe('parseOptions (every command, strict)', () => {
  const userOptions = { email: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } as const;

  it('reads both spellings and --help', () => {
    expect(parseOptions('users create', ['--email', 'a@b.c', '--role=ADMIN', '--password=--dashes-too'], userOptions)).toEqual({
      email: 'a@b.c', role: 'ADMIN', password: '--dashes-too',
    });
    expect(parseOptions('migrate', ['-h'], {})).toEqual({ help: true });
  });

  it('refuses an unknown option, a value that is another option, a missing value and a stray word', () => {
    expect(() => parseOptions('worker', ['--queue', 'media-scan'], { queues: { type: 'string' } }))
      .toThrow(new UsageError('herald worker: unknown option --queue (options: --queues, --help)'));
    expect(() => parseOptions('users create', ['--password', '--name', 'x'], userOptions))
      .toThrow(new UsageError('herald users create: --password needs a value (to give one that starts with "-", write --password=<value>)'));
    expect(() => parseOptions('users create', ['--email'], userOptions)).toThrow(/--email needs a value/);
    expect(() => parseOptions('migrate', ['now'], {})).toThrow(new UsageError('herald migrate: unexpected argument "now" (options: --help)'));
    expect(() => parseOptions('migrate', ['--help=yes'], {})).toThrow(new UsageError('herald migrate: --help takes no value'));
  });
});

describe('splitCommand', () => {
  it('takes the command words up to the first option', () => {
    const max = (first: string) => (first === 'users' ? 2 : 1);
    expect(splitCommand(['users', 'create', '--email', 'a'], max)).toEqual({ words: ['users', 'create'], rest: ['--email', 'a'] });
    expect(splitCommand(['worker', 'extra', '--queues', 'a'], max)).toEqual({ words: ['worker'], rest: ['extra', '--queues', 'a'] });
    expect(splitCommand(['--help'], max)).toEqual({ words: [], rest: ['--help'] });
  });
});
