import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Reader, type CountryResponse } from 'maxmind';
import UAParser from 'ua-parser-js';

/** What enrichment adds to an event: device, browser and OS from its user agent, country from its IP. */
export interface Enrichment {
  readonly deviceType: string | null;
  readonly browser: string | null;
  readonly os: string | null;
}

const BOT = /bot|crawl|spider|slurp|curl|wget|python-requests|httpclient|headless/i;

/**
 * ua-parser-js names mobile, tablet, console, smarttv, wearable and embedded devices and leaves
 * desktops unnamed: a user agent it recognises a browser or OS in, but no device type, is a
 * desktop; automated clients are `bot`; anything else stays unknown (null).
 */
export function parseUserAgent(userAgent: string | null): Enrichment {
  if (!userAgent) return { deviceType: null, browser: null, os: null };
  const r = new UAParser(userAgent).getResult();
  const browser = r.browser.name ?? null;
  const os = r.os.name ?? null;
  const deviceType = BOT.test(userAgent) ? 'bot' : r.device.type ?? (browser || os ? 'desktop' : null);
  return { deviceType, browser, os };
}

/** Country lookups in a MaxMind-format database read from disk once; no network, ever. */
export class GeoIp {
  private constructor(private readonly reader: Reader<CountryResponse> | null) {}

  static none(): GeoIp {
    return new GeoIp(null);
  }

  /** Loads GEOIP_DB; a file that is not a MaxMind database stops start-up with its path named. */
  static async open(path: string | undefined): Promise<GeoIp> {
    if (!path) return GeoIp.none();
    try {
      return new GeoIp(new Reader<CountryResponse>(await readFile(path)));
    } catch (err) {
      throw new Error(`GEOIP_DB ${path} is not a readable MaxMind database: ${(err as Error).message}`, { cause: err });
    }
  }

  get enabled(): boolean {
    return this.reader !== null;
  }

  /** ISO 3166 alpha-2 code of the IP's country, or null (no database, private or unknown IP). */
  country(ip: string | null): string | null {
    if (!this.reader || !ip || !isIP(ip)) return null;
    try {
      const record = this.reader.get(ip);
      return record?.country?.iso_code ?? record?.registered_country?.iso_code ?? null;
    } catch {
      // An IPv6 address against an IPv4-only database, for one: simply unknown.
      return null;
    }
  }
}

/** `::ffff:203.0.113.9` (IPv4 seen through an IPv6 socket) → `203.0.113.9`. */
export function normalizeIp(ip: string | undefined): string | null {
  if (!ip) return null;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const value = v4 ? v4[1]! : ip;
  return isIP(value) ? value : null;
}
