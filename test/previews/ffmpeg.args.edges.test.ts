import { describe, expect, it } from 'vitest';
import { ffprobeArgs, previewPlan, videoFrameArgs, videoPreviewArgs, type VideoPlan } from '../../src/previews/ffmpeg.args.js';
import type { MediaProbe, MediaStream } from '../../src/previews/ffmpeg.parse.js';

// The edges of the argument builders that ffmpeg.args.test.ts does not reach: every refused
// demuxer, media too short to cut a clip from, the probe's own arguments, exact silent and
// anamorphic argument lists.

const v = (over: Partial<MediaStream> = {}): MediaStream => ({ index: 0, type: 'video', codec: 'h264', width: 1920, height: 1080, attachedPicture: false, ...over });
const a = (over: Partial<MediaStream> = {}): MediaStream => ({ index: 1, type: 'audio', codec: 'aac', channels: 2, attachedPicture: false, ...over });
const probe = (durationSeconds: number | null, streams: MediaStream[], formatName = 'mov,mp4,m4a,3gp,3g2,mj2'): MediaProbe => ({ formatName, durationSeconds, streams });
const plan: VideoPlan = { kind: 'video', durationSeconds: 60, start: 6, length: 10, thumbnailAt: 6, videoStream: 0 };

describe('previewPlan, refused and too short', () => {
  it.each(['hls', 'applehttp', 'dash', 'concat', 'sdp', 'rtsp', 'rtp', 'ffmetadata', 'lavfi', 'tty', 'image2', 'subviewer', 'srt', 'ass', 'webvtt'])(
    'refuses the %s demuxer, even with streams and a duration',
    (format) => {
      expect(previewPlan(probe(60, [v(), a()], format))).toEqual({ ok: false, error: `The file is not an audio or video file (format ${format}).` });
    },
  );

  it('refuses a format list that names one refused demuxer among others', () => {
    expect(previewPlan(probe(60, [v(), a()], 'mov,hls'))).toEqual({ ok: false, error: 'The file is not an audio or video file (format mov,hls).' });
  });

  it('refuses video and audio too short to cut a millisecond from', () => {
    const tooShort = { ok: false, error: 'The media is too short to preview.' };
    expect(previewPlan(probe(0.0004, [v(), a()]))).toEqual(tooShort);
    expect(previewPlan(probe(0.0004, [a({ index: 0 })]))).toEqual(tooShort);
  });
});

describe('argument lists, whole', () => {
  it('probes a file through the file protocol only, as JSON', () => {
    expect(ffprobeArgs('/j/in')).toEqual(['-v', 'error', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', 'file:/j/in']);
  });

  it('encodes a silent video with no audio arguments at all', () => {
    const args = videoPreviewArgs('/j/in', '/j/out.mp4', plan);
    expect(args.slice(args.indexOf('-pix_fmt'), args.indexOf('-map_metadata'))).toEqual(['-pix_fmt', 'yuv420p']);
    expect(args.slice(args.indexOf('-t'), args.indexOf('-vf'))).toEqual(['-t', '10.000', '-map', '0:0', '-an']);
  });

  it('leaves square pixels, and pixels within 1 % of square, as they are', () => {
    const filter = (sampleAspectRatio: number) => {
      const args = videoFrameArgs('in', 'out.png', { ...plan, sampleAspectRatio });
      return args[args.indexOf('-vf') + 1];
    };
    expect(filter(1)).toBe("scale='min(iw,1280)':-2");
    expect(filter(1.005)).toBe("scale='min(iw,1280)':-2");
    expect(filter(0.995)).toBe("scale='min(iw,1280)':-2");
    expect(filter(1.02)).toBe("scale=trunc(iw*sar/2)*2:ih,setsar=1,scale='min(iw,1280)':-2");
  });

  it('squares non-square pixels before scaling a frame', () => {
    const args = videoFrameArgs('in', 'out.png', { ...plan, sampleAspectRatio: 4 / 3 });
    expect(args[args.indexOf('-vf') + 1]).toBe("scale=trunc(iw*sar/2)*2:ih,setsar=1,scale='min(iw,1280)':-2");
  });
});
