import { describe, expect, it } from 'vitest';
import { describeFfmpegFailure, parseFfmpegInfo, parseFfprobeJson, progressFraction, progressSeconds } from '../../src/previews/ffmpeg.parse.js';

// `ffmpeg -hide_banner -i <file>` as printed by Debian's ffmpeg 5.1 and by @ffmpeg-installer's 2018 build.
const DEBIAN_MP4 = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/job/in':
  Metadata:
    major_brand     : isom
    encoder         : Lavf59.27.100
  Duration: 00:00:12.00, start: 0.000000, bitrate: 1344 kb/s
  Stream #0:0[0x1](und): Video: mpeg4 (Simple Profile) (mp4v / 0x7634706D), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], 1268 kb/s, 25 fps, 25 tbr, 12800 tbn (default)
    Metadata:
      handler_name    : VideoHandler
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)
    Metadata:
      handler_name    : SoundHandler
At least one output file must be specified`;

const STATIC_PORTRAIT = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'portrait.mp4':
  Duration: 00:00:03.00, start: 0.000000, bitrate: 399 kb/s
    Stream #0:0(und): Video: h264 (Constrained Baseline) (avc1 / 0x31637661), yuv420p, 720x1280 [SAR 1:1 DAR 9:16], 396 kb/s, 25 fps, 25 tbr, 12800 tbn, 50 tbc (default)
At least one output file must be specified`;

const DEBIAN_COVER = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'cover.m4a':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 407 kb/s
  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1, fltp, 395 kb/s (default)
  Stream #0:1[0x0]: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)`;

// The static build does not mark the MP4 cover as attached pic.
const STATIC_COVER = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'cover.m4a':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 407 kb/s
    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, 5.1(side), fltp, 395 kb/s (default)
    Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 300x300 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn, 90k tbc`;

const ANAMORPHIC = `Input #0, matroska,webm, from 'ana.mkv':
  Duration: 00:00:01.00, start: 0.000000, bitrate: 1030 kb/s
  Stream #0:0: Video: mpeg4 (Simple Profile), yuv420p(tv, progressive), 720x576 [SAR 16:15 DAR 4:3], 25 fps, 25 tbr, 1k tbn`;

const STILL = `Input #0, png_pipe, from 'x.png':
  Duration: N/A, bitrate: N/A
  Stream #0:0: Video: png, rgb24(pc), 300x200, 25 tbr, 25 tbn`;

describe('parseFfmpegInfo', () => {
  it('reads duration, format and streams from Debian ffmpeg 5 output', () => {
    expect(parseFfmpegInfo(DEBIAN_MP4)).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSeconds: 12,
      streams: [
        { index: 0, type: 'video', codec: 'mpeg4', width: 1920, height: 1080, attachedPicture: false },
        { index: 1, type: 'audio', codec: 'aac', attachedPicture: false, channels: 1, sampleRate: 44100 },
      ],
    });
  });

  it('reads the 2018 static build output (no stream ids, indented streams)', () => {
    expect(parseFfmpegInfo(STATIC_PORTRAIT)).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSeconds: 3,
      streams: [{ index: 0, type: 'video', codec: 'h264', width: 720, height: 1280, attachedPicture: false }],
    });
  });

  it('recognises cover art, flagged or not, and surround layouts', () => {
    for (const text of [DEBIAN_COVER, STATIC_COVER]) {
      const probe = parseFfmpegInfo(text)!;
      expect(probe.streams.map((s) => [s.type, s.attachedPicture, s.channels])).toEqual([['audio', false, 6], ['video', true, undefined]]);
    }
  });

  it('keeps non-square pixels and reports a missing duration as null', () => {
    expect(parseFfmpegInfo(ANAMORPHIC)!.streams[0]).toMatchObject({ width: 720, height: 576, sampleAspectRatio: 16 / 15 });
    expect(parseFfmpegInfo(STILL)).toMatchObject({ formatName: 'png_pipe', durationSeconds: null, streams: [{ codec: 'png', attachedPicture: false }] });
  });

  it('returns null when ffmpeg found no input', () => {
    expect(parseFfmpegInfo("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x3d17db00] moov atom not found\nx.mp4: Invalid data found when processing input")).toBeNull();
  });
});

describe('parseFfprobeJson', () => {
  it('maps streams, dispositions and aspect ratios', () => {
    const json = JSON.stringify({
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '2.000000' },
      streams: [
        { index: 0, codec_type: 'audio', codec_name: 'aac', sample_rate: '44100', channels: 6, duration: '2.000000', disposition: { attached_pic: 0 } },
        { index: 1, codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, sample_aspect_ratio: '1:1', disposition: { attached_pic: 1 } },
        { index: 2, codec_type: 'video', codec_name: 'mpeg4', width: 720, height: 576, sample_aspect_ratio: '16:15', duration: 'N/A' },
        { index: 3, codec_type: 'data', codec_name: 'bin_data', sample_aspect_ratio: '0:1' },
      ],
    });
    expect(parseFfprobeJson(json)).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSeconds: 2,
      streams: [
        { index: 0, type: 'audio', codec: 'aac', attachedPicture: false, channels: 6, sampleRate: 44100, durationSeconds: 2 },
        { index: 1, type: 'video', codec: 'mjpeg', width: 300, height: 300, attachedPicture: true },
        { index: 2, type: 'video', codec: 'mpeg4', width: 720, height: 576, sampleAspectRatio: 16 / 15, attachedPicture: false },
        { index: 3, type: 'data', codec: 'bin_data', attachedPicture: false },
      ],
    });
  });

  it('reads an empty answer as no streams and no duration', () => {
    expect(parseFfprobeJson('{}')).toEqual({ formatName: 'unknown', durationSeconds: null, streams: [] });
  });
});

describe('progress', () => {
  it('reads out_time_us and out_time_ms, both in microseconds', () => {
    expect(progressSeconds('out_time_us=2020136')).toBeCloseTo(2.020136);
    expect(progressSeconds('out_time_ms=2020136')).toBeCloseTo(2.020136);
    expect(progressSeconds('out_time_ms=-23219')).toBe(0);
    expect(progressSeconds('out_time=00:00:02.020136')).toBeNull();
    expect(progressSeconds('frame=50')).toBeNull();
  });
  it('turns seconds into a clamped fraction', () => {
    expect(progressFraction(5, 10)).toBe(0.5);
    expect(progressFraction(12, 10)).toBe(1);
    expect(progressFraction(5, 0)).toBe(0);
  });
});

describe('describeFfmpegFailure', () => {
  it('drops context prefixes, paths, the no-output noise and repeats', () => {
    const lines = [
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x557e86c21880] Format mov,mp4,m4a,3gp,3g2,mj2 detected only with low score of 1, misdetection possible!',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x557e86c21880] moov atom not found',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x557e86c21881] moov atom not found',
      'file:/tmp/herald-preview-x/in: Invalid data found when processing input',
      'At least one output file must be specified',
    ];
    expect(describeFfmpegFailure(lines, '/tmp/herald-preview-x/in')).toBe('moov atom not found; Invalid data found when processing input');
  });
});
