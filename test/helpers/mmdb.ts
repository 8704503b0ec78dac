/**
 * A tiny MaxMind DB (MMDB v2) writer for tests: IPv4 networks mapped to country codes, in the
 * GeoIP2-Country record shape (`{ country: { iso_code } }`), so that the real `maxmind` reader
 * is exercised without shipping or downloading a database. Format: the MaxMind DB spec — a binary
 * search tree of 24-bit records, 16 zero bytes, the data section, then the metadata map.
 */

type Value = string | number | bigint | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const head = (extended ? 0 : type) << 5;
  let sizeBytes: number[] = [];
  let low = size;
  if (size >= 65_821) {
    low = 31;
    const v = size - 65_821;
    sizeBytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  } else if (size >= 285) {
    low = 30;
    const v = size - 285;
    sizeBytes = [(v >> 8) & 0xff, v & 0xff];
  } else if (size >= 29) {
    low = 29;
    sizeBytes = [size - 29];
  }
  return Buffer.from([head | low, ...(extended ? [type - 7] : []), ...sizeBytes]);
}

function uint(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number') return uint(value < 65_536 ? 5 : 6, BigInt(value));
  if (typeof value === 'bigint') return uint(9, value);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** Builds a database mapping each CIDR (`203.0.113.0/24`) to a country code. */
export function buildCountryMmdb(networks: Record<string, string>): Buffer {
  type Record = { node: number } | { data: number } | null;
  const nodes: Array<[Record, Record]> = [[null, null]];
  const chunks: Buffer[] = [];
  let dataLength = 0;
  for (const [cidr, iso] of Object.entries(networks)) {
    const [ip, bits] = cidr.split('/') as [string, string];
    const address = ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
    const data = encode({ country: { iso_code: iso, names: { en: iso } } });
    const offset = dataLength;
    chunks.push(data);
    dataLength += data.length;
    let node = 0;
    for (let depth = 0; depth < Number(bits); depth++) {
      const bit = (address >>> (31 - depth)) & 1;
      if (depth === Number(bits) - 1) {
        nodes[node]![bit] = { data: offset };
        break;
      }
      const next = nodes[node]![bit];
      if (next && 'node' in next) node = next.node;
      else {
        nodes.push([null, null]);
        nodes[node]![bit] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const count = nodes.length;
  const record = (r: Record) => (r === null ? count : 'node' in r ? r.node : count + 16 + r.data);
  const tree = Buffer.alloc(count * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(record(left), i * 6, 3);
    tree.writeUIntBE(record(right), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: count, record_size: 24, ip_version: 4, database_type: 'Herald-Test-Country', languages: ['en'],
    binary_format_major_version: 2, binary_format_minor_version: 0, build_epoch: 1_700_000_000n, description: { en: 'test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...chunks, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]);
}
