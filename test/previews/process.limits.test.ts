import { describe, expect, it } from 'vitest';
import { breachMessage, limitBreach, limitedCommand } from '../../src/previews/process.limits.js';

const limits = { cpuSeconds: 300, memoryMb: 4096, maxOutputMb: 256 };

describe('limitedCommand', () => {
  it('runs the binary through prlimit with a soft and a hard CPU limit, address space and file size in bytes', () => {
    expect(limitedCommand({ kind: 'prlimit', path: 'prlimit' }, limits, 'ffmpeg', ['-i', 'file:a b;$(x)'])).toEqual({
      command: 'prlimit',
      args: ['--cpu=300:305', `--as=${4096 * 1024 * 1024}`, `--fsize=${256 * 1024 * 1024}`, '--', 'ffmpeg', '-i', 'file:a b;$(x)'],
    });
  });

  it('falls back to ulimit in sh, the binary and its arguments as positional parameters, never in the script', () => {
    const { command, args } = limitedCommand({ kind: 'ulimit', shell: '/bin/sh' }, limits, '/usr/bin/ffmpeg', ['-i', 'file:$(rm -rf ~)']);
    expect(command).toBe('/bin/sh');
    expect(args[0]).toBe('-c');
    expect(args[1]).toBe(`ulimit -S -t 300 && ulimit -H -t 305 && ulimit -v ${4096 * 1024} && ulimit -f ${256 * 2048} && exec "$0" "$@"`);
    expect(args.slice(2)).toEqual(['/usr/bin/ffmpeg', '-i', 'file:$(rm -rf ~)']);
  });
});

describe('limitBreach', () => {
  const end = { code: null, signal: null, stderr: [], elapsedMs: 400_000, cores: 1, cpuSeconds: 300 };

  it('names the limit from the signal, exit code or message', () => {
    expect(limitBreach({ ...end, signal: 'SIGXFSZ' })).toBe('output');
    expect(limitBreach({ ...end, signal: 'SIGXCPU' })).toBe('cpu');
    expect(limitBreach({ ...end, code: 255 })).toBe('cpu');
    expect(limitBreach({ ...end, code: 123, stderr: ['Received > 3 system signals, hard exiting'] })).toBe('cpu');
    expect(limitBreach({ ...end, code: 1, stderr: ['x264 [error]: malloc of size 21862400 failed'] })).toBe('memory');
    expect(limitBreach({ ...end, code: 1, stderr: ['Invalid data found when processing input'] })).toBeNull();
    expect(limitBreach({ ...end, signal: 'SIGKILL' })).toBeNull();
  });

  it('does not blame the CPU limit for a signal that came before it could be reached', () => {
    // 300 CPU seconds on 8 cores take at least 37.5 s of wall time.
    expect(limitBreach({ ...end, code: 255, elapsedMs: 10_000, cores: 8 })).toBeNull();
    expect(limitBreach({ ...end, code: 255, elapsedMs: 40_000, cores: 8 })).toBe('cpu');
  });
});

describe('breachMessage', () => {
  it('tells the uploader which limit the file broke', () => {
    expect(breachMessage('cpu', limits)).toBe('The file could not be converted within the processing limit (300 s of CPU time).');
    expect(breachMessage('output', limits)).toBe('The conversion was stopped: its output grew past the limit of 256 MB.');
    expect(breachMessage('memory', limits)).toBe('The file needs more than 4096 MB of memory to convert.');
  });
});
