import { describe, expect, it } from 'vitest';
import {
  audioPreviewArgs, clock, fitFilter, previewPlan, videoFrameArgs, videoPreviewArgs, type AudioPlan, type VideoPlan,
} from '../../src/previews/ffmpeg.args.js';
import type { MediaProbe, MediaStream } from '../../src/previews/ffmpeg.parse.js';

const v = (over: Partial<MediaStream> = {}): MediaStream => ({ index: 0, type: 'video', codec: 'h264', width: 1920, height: 1080, attachedPicture: false, ...over });
const a = (over: Partial<MediaStream> = {}): MediaStream => ({ index: 1, type: 'audio', codec: 'aac', channels: 2, attachedPicture: false, ...over });
const probe = (durationSeconds: number | null, streams: MediaStream[], formatName = 'mov,mp4,m4a,3gp,3g2,mj2'): MediaProbe => ({ formatName, durationSeconds, streams });

describe('previewPlan', () => {
  it('takes 10 s of video from 10 % of the duration', () => {
    expect(previewPlan(probe(60, [v(), a()]))).toEqual({
      ok: true,
      plan: { kind: 'video', durationSeconds: 60, start: 6, length: 10, thumbnailAt: 6, videoStream: 0, audioStream: 1, audioChannels: 2 },
    });
  });

  it('gives a source shorter than start + 10 s a shorter clip', () => {
    const plan = previewPlan(probe(5, [v(), a()]));
    expect(plan.ok && plan.plan).toMatchObject({ kind: 'video', start: 0.5, length: 4.5 });
    const exact = previewPlan(probe(11.2, [v()]));
    expect(exact.ok && exact.plan).toMatchObject({ start: 1.12, length: 10 });
    const tiny = previewPlan(probe(0.04, [v()]));
    expect(tiny.ok && tiny.plan).toMatchObject({ start: 0.004, length: 0.036 });
  });

  it('makes a silent video plan without audio, and keeps pixel aspect and channel counts', () => {
    const plan = previewPlan(probe(30, [v({ sampleAspectRatio: 4 / 3 }), a({ index: 2, channels: 6 })]));
    expect(plan.ok && plan.plan).toMatchObject({ videoStream: 0, audioStream: 2, audioChannels: 6, sampleAspectRatio: 4 / 3 });
    const silent = previewPlan(probe(30, [v()]));
    expect(silent.ok && silent.plan).not.toHaveProperty('audioStream');
  });

  it('plans the first 30 s (or less) of audio, cover art included', () => {
    expect(previewPlan(probe(200, [a({ index: 0 })]))).toEqual({
      ok: true, plan: { kind: 'audio', durationSeconds: 200, start: 0, length: 30, audioStream: 0, audioChannels: 2 },
    });
    const short = previewPlan(probe(12.5, [v({ codec: 'mjpeg', attachedPicture: true }), a()], 'mp3'));
    expect(short.ok && short.plan).toMatchObject({ kind: 'audio', length: 12.5, audioStream: 1 });
  });

  it('uses the longest stream when the container has no duration', () => {
    const plan = previewPlan(probe(null, [v({ durationSeconds: 20 }), a({ durationSeconds: 21 })]));
    expect(plan.ok && plan.plan).toMatchObject({ durationSeconds: 21, start: 2.1, length: 10 });
  });

  it('refuses what cannot be previewed, with a message for the uploader', () => {
    expect(previewPlan(probe(10, []))).toEqual({ ok: false, error: 'The file has no audio or video stream.' });
    expect(previewPlan(probe(10, [{ index: 0, type: 'subtitle', codec: 'subrip', attachedPicture: false }]))).toMatchObject({ ok: false });
    expect(previewPlan(probe(null, [v({ codec: 'png' })], 'png_pipe'))).toEqual({
      ok: false, error: 'The media has no duration: the file is empty, a still image or unreadable.',
    });
    expect(previewPlan(probe(0, [a()]))).toMatchObject({ ok: false });
    expect(previewPlan(probe(10, [v()], 'hls'))).toEqual({ ok: false, error: 'The file is not an audio or video file (format hls).' });
  });

  it('refuses media over the maximum duration, 2 h by default and configurable', () => {
    expect(previewPlan(probe(3 * 3600, [v(), a()]))).toEqual({
      ok: false, error: 'The media is 3:00:00 long; previews are made for media up to 2:00:00.',
    });
    expect(previewPlan(probe(2 * 3600, [v()])).ok).toBe(true);
    expect(previewPlan(probe(2 * 3600 + 1, [v()])).ok).toBe(false);
    expect(previewPlan(probe(3 * 3600, [v()]), { maxDurationSeconds: 4 * 3600 }).ok).toBe(true);
    expect(previewPlan(probe(90, [v()]), { maxDurationSeconds: 60 })).toEqual({
      ok: false, error: 'The media is 0:01:30 long; previews are made for media up to 0:01:00.',
    });
  });
});

const videoPlan: VideoPlan = { kind: 'video', durationSeconds: 60, start: 6, length: 10, thumbnailAt: 6, videoStream: 0, audioStream: 1, audioChannels: 2 };

describe('videoPreviewArgs', () => {
  it('builds the spec: 10 s from 6 s, fit into 1280x720 with padding, H.264 1000k, AAC 128k, faststart', () => {
    expect(videoPreviewArgs('/tmp/job/in', '/tmp/job/preview.mp4', videoPlan)).toEqual([
      '-protocol_whitelist', 'file', '-ss', '6.000', '-i', 'file:/tmp/job/in',
      '-t', '10.000',
      '-map', '0:0', '-map', '0:1',
      '-vf', 'scale=1280:720:force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1',
      '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1000k', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k',
      '-map_metadata', '-1', '-map_chapters', '-1',
      '-movflags', '+faststart',
      '-f', 'mp4', 'file:/tmp/job/preview.mp4',
    ]);
  });

  it('drops audio when there is none, downmixes surround, squares non-square pixels', () => {
    const silent = videoPreviewArgs('in', 'out', { ...videoPlan, audioStream: undefined });
    expect(silent).toContain('-an');
    expect(silent).not.toContain('-c:a');
    const surround = videoPreviewArgs('in', 'out', { ...videoPlan, audioChannels: 6 });
    expect(surround.join(' ')).toContain('-c:a aac -b:a 128k -ac 2');
    const anamorphic = videoPreviewArgs('in', 'out', { ...videoPlan, sampleAspectRatio: 4 / 3 });
    expect(anamorphic[anamorphic.indexOf('-vf') + 1]).toMatch(/^scale=trunc\(iw\*sar\/2\)\*2:ih,setsar=1,scale=1280:720:force_original_aspect_ratio=decrease,/);
  });

  it('takes other sizes, bitrates and presets as options', () => {
    const args = videoPreviewArgs('in', 'out', videoPlan, { width: 640, height: 360, videoBitrate: '500k', preset: 'medium' });
    expect(args.join(' ')).toContain('-vf scale=640:360:force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1');
    expect(args.join(' ')).toContain('-preset medium -b:v 500k');
  });

  it('fitFilter pads portrait and 4:3 pictures instead of stretching them', () => {
    // force_original_aspect_ratio=decrease scales 720x1280 to 405x720 and 640x480 to 960x720; the
    // even rounding and centred pad follow. The real pixels are checked in preview.render.test.ts.
    expect(fitFilter(1280, 720)).toBe('scale=1280:720:force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1');
  });
});

describe('audioPreviewArgs', () => {
  const plan: AudioPlan = { kind: 'audio', durationSeconds: 200, start: 0, length: 30, audioStream: 0, audioChannels: 2 };
  it('takes the first 30 s as MP3 128k without video', () => {
    expect(audioPreviewArgs('/j/in', '/j/preview.mp3', plan)).toEqual([
      '-protocol_whitelist', 'file', '-i', 'file:/j/in',
      '-t', '30.000', '-map', '0:0', '-vn',
      '-c:a', 'libmp3lame', '-b:a', '128k',
      '-map_metadata', '-1', '-map_chapters', '-1',
      '-f', 'mp3', 'file:/j/preview.mp3',
    ]);
  });
  it('downmixes more than two channels (LAME cannot encode them)', () => {
    expect(audioPreviewArgs('in', 'out', { ...plan, audioChannels: 6, length: 12.345 }).join(' ')).toContain('-t 12.345 -map 0:0 -vn -c:a libmp3lame -b:a 128k -ac 2');
  });
});

describe('videoFrameArgs', () => {
  it('grabs one frame at 10 % as PNG, at most 1280 wide', () => {
    expect(videoFrameArgs('/j/in', '/j/frame.png', videoPlan)).toEqual([
      '-protocol_whitelist', 'file', '-ss', '6.000', '-i', 'file:/j/in',
      '-map', '0:0', '-frames:v', '1', '-vf', "scale='min(iw,1280)':-2", '-an', '-sn',
      '-c:v', 'png', '-update', '1', '-f', 'image2', 'file:/j/frame.png',
    ]);
  });
  it('can write JPEG', () => {
    expect(videoFrameArgs('in', 'out.jpg', videoPlan, { format: 'jpeg', maxWidth: 800 }).join(' ')).toContain("-vf scale='min(iw,800)':-2 -an -sn -c:v mjpeg -q:v 2");
  });
});

describe('clock', () => {
  it('formats durations as h:mm:ss', () => {
    expect([clock(0), clock(59.6), clock(3599), clock(10800), clock(36000 + 61)]).toEqual(['0:00:00', '0:01:00', '0:59:59', '3:00:00', '10:01:01']);
  });
});
