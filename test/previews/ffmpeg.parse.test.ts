import { describe, expect, it } from 'vitest';
import { describeFfmpegFailure, parseFfprobeJson, progressFraction, progressSeconds } from '../../src/previews/ffmpeg.parse.js';

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
