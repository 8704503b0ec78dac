import { describe, expect, it } from 'vitest';
import { clamdAddress, END_OF_STREAM, frameChunk, parseScanReply, ScannerError } from '../../src/media/clamav.js';
import { cleanFileName, fileToken, previewUrl, siblingKey, uploadKeys } from '../../src/media/media.files.js';
import { attachmentDisposition, cacheControl, notModified, parseRange, rangeStillValid } from '../../src/media/media.http.js';

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', 1000, { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', 1000, { kind: 'partial', start: 100, end: 999 }],
    ['bytes=-50', 1000, { kind: 'partial', start: 950, end: 999 }],
    ['bytes=-5000', 1000, { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-2000', 1000, { kind: 'partial', start: 990, end: 999 }],
    [' BYTES = 1 - 2 ', 1000, { kind: 'partial', start: 1, end: 2 }],
    ['bytes=1000-', 1000, { kind: 'unsatisfiable' }],
    ['bytes=1000-1001', 1000, { kind: 'unsatisfiable' }],
    ['bytes=-0', 1000, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-1', 0, { kind: 'unsatisfiable' }],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([undefined, '', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=0-1,3-4', 'items=0-1', 'bytes=a-b', `bytes=0-${'9'.repeat(30)}`])('serves the whole file for %s', (header) => {
    expect(parseRange(header, 1000)).toEqual({ kind: 'full' });
  });
});

describe('validators, caching and names', () => {
  it('matches If-None-Match lists, weak tags and *', () => {
    expect(notModified('"a", W/"b"', '"b"')).toBe(true);
    expect(notModified('*', '"b"')).toBe(true);
    expect(notModified('"a"', '"b"')).toBe(false);
    expect(notModified(undefined, '"b"')).toBe(false);
    expect(rangeStillValid(undefined, '"b"')).toBe(true);
    expect(rangeStillValid('"a"', '"b"')).toBe(false);
  });

  it('caches only the URL of the current version for good', () => {
    expect(cacheControl('abc', 'abc')).toBe('private, max-age=31536000, immutable');
    expect(cacheControl(undefined, 'abc')).toBe('private, no-cache');
    expect(cacheControl('old', 'abc')).toBe('private, no-cache');
  });

  it('names downloads safely in ASCII and exactly in UTF-8', () => {
    expect(attachmentDisposition(null)).toBe('attachment');
    expect(attachmentDisposition('a"b\\c.mp4')).toBe(`attachment; filename="a_b_c.mp4"; filename*=UTF-8''a%22b%5Cc.mp4`);
    expect(attachmentDisposition('Ünïcode (1).wav')).toBe(`attachment; filename="_n_code (1).wav"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%281%29.wav`);
  });

  it('keeps file names without paths or control characters', () => {
    expect(cleanFileName('C:\\Users\\me\\clip.mp4')).toBe('clip.mp4');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('a\u0000b\nc')).toBe('abc');
    expect(cleanFileName('   ')).toBeNull();
    expect(cleanFileName(undefined)).toBeNull();
    expect(cleanFileName('x'.repeat(300))).toHaveLength(255);
  });
});

describe('storage keys and URLs', () => {
  const original = 'assets/6c0e/9f1d/original';
  it('keeps an upload\'s files in its own folder', () => {
    expect(siblingKey(original, 'preview.mp4')).toBe('assets/6c0e/9f1d/preview.mp4');
    expect(uploadKeys(original)).toEqual([
      original, 'assets/6c0e/9f1d/thumbnail-200.webp', 'assets/6c0e/9f1d/thumbnail-400.webp', 'assets/6c0e/9f1d/thumbnail-800.webp',
      'assets/6c0e/9f1d/preview.mp4', 'assets/6c0e/9f1d/preview.mp3',
    ]);
  });

  it('versions URLs by upload and generation time, without anything that expires', () => {
    const url = previewUrl('6c0e', original, '2026-01-01T00:00:00.000Z');
    expect(url).toBe(`/api/assets/6c0e/preview?v=${fileToken(original, '2026-01-01T00:00:00.000Z')}`);
    expect(url).not.toBe(previewUrl('6c0e', original, '2026-01-01T00:00:01.000Z'));
    expect(fileToken('a')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('clamd protocol', () => {
  it('frames chunks with a 4-byte big-endian length and ends with a zero length', () => {
    expect(frameChunk(Buffer.from('abc'))).toEqual(Buffer.from([0, 0, 0, 3, 97, 98, 99]));
    expect(END_OF_STREAM).toEqual(Buffer.alloc(4));
  });

  it('reads verdicts and errors', () => {
    expect(parseScanReply('stream: OK\0')).toEqual({ clean: true });
    expect(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND\0')).toEqual({ clean: false, signature: 'Win.Test.EICAR_HDB-1' });
    const tooBig = (() => { try { parseScanReply('INSTREAM size limit exceeded. ERROR\0'); } catch (e) { return e; } })();
    expect(tooBig).toBeInstanceOf(ScannerError);
    expect(tooBig).toMatchObject({ permanent: true, message: 'clamd answered: INSTREAM size limit exceeded. ERROR' });
    expect(() => parseScanReply('')).toThrow('clamd answered: (nothing)');
  });

  it('takes tcp:// and unix:// addresses', () => {
    expect(clamdAddress('tcp://clamd:3310')).toEqual({ host: 'clamd', port: 3310 });
    expect(clamdAddress('tcp://10.0.0.2')).toEqual({ host: '10.0.0.2', port: 3310 });
    expect(clamdAddress('unix:///run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(() => clamdAddress('http://x')).toThrow(/tcp:\/\/host:port or unix:\/\/\/path/);
  });
});
