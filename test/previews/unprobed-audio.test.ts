import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { audioPreviewArgs, REFUSED_FORMATS, unprobedAudioPreviewArgs, UNPROBED_AUDIO_FORMATS } from '../../src/previews/ffmpeg.args.js';
import { parseInputDump } from '../../src/previews/ffmpeg.parse.js';
import { resolveFfmpeg, withTempDir, type FfmpegBinaries } from '../../src/previews/ffmpeg.runner.js';
import { renderAudioPreviewUnprobed } from '../../src/previews/preview.render.js';
import { ffmpeg, ffprobe, makeAudio, makeVideo, mediaDir } from './media.fixtures.js';

// Audio previews in one ffmpeg process (issue 21): the encode's own input dump stands in for
// ffprobe when it plainly shows audio; anything else is left to the probed way (null).

/** ffmpeg 5.1's dump of a WAV, as read from its stderr at log level info. */
const wavDump = [
  'Input #0, wav, from \'file:/tmp/in.wav\':',
  '  Metadata:',
  '    encoder         : Lavf59.27.100',
  '  Duration: 00:05:00.00, bitrate: 1411 kb/s',
  '  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 44100 Hz, stereo, s16, 1411 kb/s',
  'Stream mapping:',
  '  Stream #0:0 -> #0:0 (pcm_s16le (native) -> mp3 (libmp3lame))',
];

describe('parseInputDump', () => {
  it('reads format, duration and streams as ffprobe would', () => {
    expect(parseInputDump(['[mjpeg @ 0x5597fb51d8c0] EOI missing, emulating', ...wavDump])).toEqual({
      formatName: 'wav', durationSeconds: 300, streams: [{ index: 0, type: 'audio', codec: 'pcm_s16le', attachedPicture: false, channels: 2 }],
    });
    const ts = parseInputDump([
      'Input #0, mpegts, from \'file:/tmp/t.ts\':',
      '  Duration: 00:00:02.01, start: 1.429089, bitrate: 539 kb/s',
      '  Program 1 ',
      '    Metadata:',
      '      service_name    : Service01',
      '  Stream #0:0[0x100]: Video: mpeg2video (Main) ([2][0][0][0] / 0x0002), yuv420p(tv, progressive), 64x64 [SAR 1:1 DAR 1:1], 25 fps, 25 tbr, 90k tbn',
      '    Side data:',
      '      cpb: bitrate max/min/avg: 0/0/0 buffer size: 49152 vbv_delay: N/A',
      '  Stream #0:1[0x101](eng): Audio: mp2 ([3][0][0][0] / 0x0003), 44100 Hz, mono, fltp, 384 kb/s',
      'Stream mapping:',
    ]);
    expect(ts).toEqual({
      formatName: 'mpegts', durationSeconds: 2.01, streams: [
        { index: 0, type: 'video', codec: 'mpeg2video', attachedPicture: false },
        { index: 1, type: 'audio', codec: 'mp2', attachedPicture: false, channels: 1 },
      ],
    });
  });

  it('tells cover art from video, and leaves layouts other than mono and stereo unknown', () => {
    const probe = parseInputDump([
      'Input #0, mp3, from \'file:/tmp/c.mp3\':',
      '  Duration: N/A, start: 0.025056, bitrate: N/A',
      '  Stream #0:0: Audio: mp3, 44100 Hz, 5.1(side), fltp, 128 kb/s',
      '  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 32x32 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)',
      'Stream mapping:',
    ]);
    expect(probe).toEqual({
      formatName: 'mp3', durationSeconds: null, streams: [
        { index: 0, type: 'audio', codec: 'mp3', attachedPicture: false },
        { index: 1, type: 'video', codec: 'mjpeg', attachedPicture: true },
      ],
    });
  });

  it('answers null to a dump it cannot trust: a tag name faking lines, no end, a missing or repeated line, gaps', () => {
    const at = wavDump.indexOf('  Duration: 00:05:00.00, bitrate: 1411 kb/s');
    const withLines = (...extra: string[]) => [...wavDump.slice(0, 2), ...extra, ...wavDump.slice(2)];
    expect(parseInputDump(withLines('    x', '  Duration: 00:00:01.00, bitrate: 1 kb/s'))).toBeNull();
    expect(parseInputDump(withLines('Stream mapping:'))).toBeNull();
    expect(parseInputDump(withLines('Output #0, mp3, to \'x\':'))).toBeNull();
    expect(parseInputDump(withLines('  Stream #0:7: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s'))).toBeNull();
    expect(parseInputDump(withLines('  Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s'))).toBeNull();
    expect(parseInputDump(wavDump.filter((_, i) => i !== at))).toBeNull();
    expect(parseInputDump(wavDump.slice(0, -2))).toBeNull();
    expect(parseInputDump(['file:/tmp/in: Invalid data found when processing input'])).toBeNull();
  });
});

describe('unprobedAudioPreviewArgs', () => {
  it('is the probed command for a stereo file, with the first audio stream and a demuxer whitelist', () => {
    const plan = { kind: 'audio', durationSeconds: 300, start: 0, length: 30, audioStream: 0, audioChannels: 2 } as const;
    const probed = audioPreviewArgs('/j/in', '/j/out.mp3', plan);
    const unprobed = unprobedAudioPreviewArgs('/j/in', '/j/out.mp3', 30);
    expect(unprobed.slice(0, 2)).toEqual(['-format_whitelist', UNPROBED_AUDIO_FORMATS.join(',')]);
    expect(unprobed.slice(2)).toEqual(probed.map((a) => (a === '0:0' ? '0:a:0' : a)));
  });

  it('whitelists no demuxer that the probe refuses', () => {
    expect(UNPROBED_AUDIO_FORMATS.filter((f) => REFUSED_FORMATS.has(f))).toEqual([]);
  });
});

describe('renderAudioPreviewUnprobed, with real ffmpeg and no ffprobe at all', () => {
  const dir = mediaDir();
  let bins: FfmpegBinaries;
  const src: Record<string, string> = {};

  beforeAll(async () => {
    // Any probe would fail: what these previews need, ffmpeg alone told.
    bins = { ...(await resolveFfmpeg()), ffprobe: '/nonexistent/ffprobe' };
    const f = (name: string) => path.join(dir.path, name);
    await Promise.all([
      makeAudio(f('long.wav'), { seconds: 40, extra: ['-ac', '2'] }).then((p) => { src.long = p; }),
      makeAudio(f('short.flac'), { seconds: 5 }).then((p) => { src.short = p; }),
      makeVideo(f('video.mp4'), { size: '160x120', seconds: 2 }).then((p) => { src.video = p; }),
      // Stereo MP3 with cover art; 5.1 AAC; a tag whose name fakes a one-second Duration line.
      ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=3', '-f', 'lavfi', '-i', 'color=size=32x32:duration=1', '-map', '0', '-map', '1', '-frames:v', '1', '-ac', '2',
        '-c:a', 'libmp3lame', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic', f('cover.mp3')]).then(() => { src.cover = f('cover.mp3'); }),
      ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=3', '-af', 'pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0', '-c:a', 'aac', f('six.m4a')]).then(() => { src.six = f('six.m4a'); }),
      ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=3', '-ac', '2', '-metadata', 'x\n  Duration: 00:00:01.00, bitrate: 1 kb/s=v', '-c:a', 'libmp3lame', f('faked.mp3')])
        .then(() => { src.faked = f('faked.mp3'); }),
    ]);
    // A playlist naming a local file: ffmpeg must refuse it before reading what it names.
    src.playlist = f('list.m3u8');
    await writeFile(src.playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:${src.long}\n#EXT-X-ENDLIST\n`);
    src.zero = f('zero.wav');
    await writeFile(src.zero, '');
  });

  it('makes the first 30 s of a longer WAV as MP3 128k, planned from the dump', async () => {
    await withTempDir(async (out) => {
      const preview = await renderAudioPreviewUnprobed(bins, src.long!, out);
      expect(preview).toMatchObject({ kind: 'audio', mime: 'audio/mpeg', file: path.join(out, 'preview.mp3'), plan: { kind: 'audio', start: 0, length: 30, durationSeconds: 40, audioStream: 0, audioChannels: 2 } });
      expect(preview!.durationSeconds).toBeGreaterThan(29.9);
      const p = await ffprobe(preview!.file);
      expect(p.streams.map((s) => [s.codec_type, s.codec_name, s.bit_rate, s.channels])).toEqual([['audio', 'mp3', '128000', 2]]);
    });
  });

  it('keeps a shorter file whole, and takes audio with cover art', async () => {
    await withTempDir(async (out) => {
      expect((await renderAudioPreviewUnprobed(bins, src.short!, out))?.plan.length).toBeCloseTo(5, 1);
      const cover = await renderAudioPreviewUnprobed(bins, src.cover!, out);
      expect(cover?.plan).toMatchObject({ kind: 'audio', audioStream: 0 });
      expect((await ffprobe(cover!.file)).streams.map((s) => s.codec_type)).toEqual(['audio']);
    });
  });

  it('leaves to the probe: a video, 5.1 audio, a faked dump, media over the limit, a playlist, an empty file', async () => {
    await withTempDir(async (out) => {
      for (const name of ['video', 'six', 'faked', 'playlist', 'zero'] as const) {
        expect(await renderAudioPreviewUnprobed(bins, src[name]!, out), name).toBeNull();
      }
      expect(await renderAudioPreviewUnprobed(bins, src.long!, out, { limits: { maxDurationSeconds: 20 } })).toBeNull();
    });
    // The playlist was refused before its entry was opened: nothing was written.
    await withTempDir(async (out) => {
      expect(await renderAudioPreviewUnprobed(bins, src.playlist!, out)).toBeNull();
      expect(existsSync(path.join(out, 'preview.mp3'))).toBe(false);
    });
  });
});
