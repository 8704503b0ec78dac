import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

/** Issue 18: SMTP_URL lists servers for failover; the breaker's knobs. */

describe('SMTP failover configuration', () => {
  it('one URL, as before; the breaker defaults', () => {
    const config = loadConfig({ SMTP_URL: 'smtp://h:25' });
    expect(config.smtpUrl).toBe('smtp://h:25');
    expect(config.smtp).toEqual({ urls: ['smtp://h:25'], timeoutMs: 10_000, cooldownMs: 30_000, maxCooldownMs: 300_000, max4xx: 5 });
    expect(loadConfig({}).smtp.urls).toEqual([]);
  });

  it('several, comma-separated, in order of preference, spaces trimmed; knobs read', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://user:pw@mail-a.example.com:465 , smtp://mail-b.example.com:587', SMTP_TIMEOUT_MS: '2000', SMTP_COOLDOWN_MS: '5000', SMTP_COOLDOWN_MAX_MS: '60000', SMTP_BREAKER_4XX: '3',
    });
    expect(config.smtp).toEqual({ urls: ['smtps://user:pw@mail-a.example.com:465', 'smtp://mail-b.example.com:587'], timeoutMs: 2_000, cooldownMs: 5_000, maxCooldownMs: 60_000, max4xx: 3 });
  });

  it('a bad entry is named by its position, and no entry (nor its password) is echoed', () => {
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'smtp://user:hunter2@a:25,http://user:hunter3@b,,smtp://c' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid configuration: SMTP_URL entry 2 of 4 must be a URL starting with smtp:// or smtps://',
      'Invalid configuration: SMTP_URL entry 3 of 4 is empty',
    ]);
    expect(message).not.toMatch(/hunter|user/);
  });

  it('refuses a cool-down cap below the cool-down, and knobs out of range', () => {
    expect(() => loadConfig({ SMTP_COOLDOWN_MS: '60000', SMTP_COOLDOWN_MAX_MS: '1000' })).toThrow('SMTP_COOLDOWN_MAX_MS must not be below SMTP_COOLDOWN_MS');
    expect(() => loadConfig({ SMTP_BREAKER_4XX: '0' })).toThrow(/SMTP_BREAKER_4XX/);
    expect(() => loadConfig({ SMTP_TIMEOUT_MS: '5' })).toThrow(/SMTP_TIMEOUT_MS/);
  });
});
