import { isIP } from 'node:net';
import { z } from 'zod';

/** The value parsers of config.ts's environment schema: each a zod schema that names the fix. */

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/**
 * A URL of one of these protocols. One check, so a value that is no URL at all gets this message
 * too (z.string().url() then a refine calling `new URL` threw a TypeError past zod), and the
 * value itself is never echoed: it may hold a password.
 */
export const url = (protocols: string[]) => {
  const message = `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, { message });
};

/** CORS_ORIGINS: comma-separated `scheme://host[:port]` origins, exactly as browsers send them in `Origin`. */
export const originsSchema = z.string().transform((value, ctx) => {
  const origins: string[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    let origin: string | null = null;
    try {
      const parsed = new URL(part);
      if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === part.replace(/\/+$/, '')) origin = parsed.origin;
    } catch { /* reported below */ }
    if (!origin) {
      ctx.addIssue({ code: 'custom', message: `bad origin "${part}" (expected scheme://host[:port], e.g. https://app.example.com, no path)` });
      return z.NEVER;
    }
    origins.push(origin);
  }
  return origins;
});

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY next to addresses and CIDRs. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: whose X-Forwarded-For to believe. `false`; a hop count (`true` is 1: the one proxy
 * in front); or comma-separated proxy addresses/CIDRs. Never "any header": the left-most entry is
 * whatever the client wrote, and per-IP limits would be keyed on it.
 */
export const trustProxySchema = z.string().transform((value, ctx): false | number | string[] => {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '0') return false;
  if (v === 'true') return 1;
  if (/^\d+$/.test(v)) {
    if (Number(v) <= 20) return Number(v);
    ctx.addIssue({ code: 'custom', message: 'hop count must be at most 20' });
    return z.NEVER;
  }
  const entries = v.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = entries.find((entry) => {
    if (PROXY_RANGES.has(entry)) return false;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    if (!family || extra !== undefined) return true;
    return prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
  if (bad !== undefined || entries.length === 0) {
    ctx.addIssue({ code: 'custom', message: `bad entry "${bad ?? v}" (expected false, a hop count such as 1, or proxy addresses/CIDRs such as 10.0.0.0/8,loopback)` });
    return z.NEVER;
  }
  return entries;
});

/** REDIS_SENTINELS, REDIS_CLUSTER_NODES: comma-separated `host:port` (an IPv6 host in brackets: `[::1]:26379`). */
export const hostPortList = (example: string) => z.string().transform((value, ctx) => {
  const nodes: Array<{ host: string; port: number }> = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(part);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `bad entry "${part}" (expected host:port, e.g. ${example})` });
      return z.NEVER;
    }
    nodes.push({ host: match[1] ?? match[2]!, port });
  }
  if (nodes.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'needs at least one host:port' });
    return z.NEVER;
  }
  return nodes;
});

/**
 * A comma-separated list of host names where `*` stands for exactly one AWS region label
 * (`sns.*.amazonaws.com`; never an S3 endpoint's label): EMAIL_SNS_CERT_HOSTS. Lower-cased; no ports, schemes or paths.
 */
export const hostPatterns = z.string().transform((value, ctx) => {
  const hosts = value.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const bad = hosts.find((h) => !/^(\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.(\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?))*$/.test(h));
  if (bad !== undefined || hosts.length === 0) {
    ctx.addIssue({ code: 'custom', message: bad === undefined ? 'at least one host' : `bad host "${bad}" (expected names such as sns.*.amazonaws.com: * is one label)` });
    return z.NEVER;
  }
  return hosts;
});

/**
 * SMTP_URL: one URL, or several comma-separated in order of preference (failover). A bad entry is
 * named by its position, never echoed: it may hold a password.
 */
export const urlList = (protocols: string[]) => {
  const one = url(protocols);
  const message = `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return z.string().transform((value, ctx) => {
    const parts = value.split(',').map((p) => p.trim());
    parts.forEach((part, i) => {
      if (one.safeParse(part).success) return;
      ctx.addIssue({ code: 'custom', message: parts.length === 1 ? message : `entry ${i + 1} of ${parts.length} ${part ? message : 'is empty'}` });
    });
    return parts;
  });
};
