/**
 * Resource limits of every ffmpeg/ffprobe process that reads an upload (hostile input): CPU time,
 * address space and the size of any file it writes. Pure: the command line that applies them, and
 * what a finished process says about which one it hit.
 */

export interface ProcessLimits {
  readonly cpuSeconds: number;
  readonly memoryMb: number;
  readonly maxOutputMb: number;
}

export const DEFAULT_PROCESS_LIMITS: ProcessLimits = { cpuSeconds: 300, memoryMb: 4096, maxOutputMb: 256 };

/**
 * How the limits are set on the child before it execs ffmpeg: util-linux's `prlimit` (Debian's
 * base system has it), else a POSIX shell's `ulimit`. Either way the limited process is ffmpeg
 * itself (exec), so its pid, exit code and signal are ffmpeg's.
 */
export type Limiter = { readonly kind: 'prlimit'; readonly path: string } | { readonly kind: 'ulimit'; readonly shell: string };

/**
 * Seconds between the soft CPU limit and the hard one. At the soft limit the kernel sends SIGXCPU,
 * which ffmpeg takes as a request to stop (it exits 255, or 123 after more than three signals);
 * at the hard one SIGKILL, which would look like the OOM killer. The margin lets ffmpeg say why.
 */
export const CPU_HARD_MARGIN_SECONDS = 5;

const MB = 1024 * 1024;

/** The command and arguments that run `binary args…` under limits (no shell parses any argument). */
export function limitedCommand(limiter: Limiter, limits: ProcessLimits, binary: string, args: readonly string[]): { command: string; args: string[] } {
  const soft = limits.cpuSeconds;
  const hard = soft + CPU_HARD_MARGIN_SECONDS;
  if (limiter.kind === 'prlimit') {
    return {
      command: limiter.path,
      args: [`--cpu=${soft}:${hard}`, `--as=${limits.memoryMb * MB}`, `--fsize=${limits.maxOutputMb * MB}`, '--', binary, ...args],
    };
  }
  // dash and busybox count -v in KiB and -f in 512-byte blocks; the binary and its arguments are
  // the script's positional parameters ("$0" "$@"), never part of the script text.
  // The soft CPU limit first: a hard limit below the current (unlimited) soft one is refused.
  const script = [
    `ulimit -S -t ${soft}`, `ulimit -H -t ${hard}`, `ulimit -v ${limits.memoryMb * 1024}`, `ulimit -f ${limits.maxOutputMb * 2048}`, 'exec "$0" "$@"',
  ].join(' && ');
  return { command: limiter.shell, args: ['-c', script, binary, ...args] };
}

export type LimitBreach = 'cpu' | 'output' | 'memory';

/**
 * Which limit a process that we did not kill ran into, from how it ended; null when it ended for
 * another reason. ffmpeg exits 255 (or 123) only after a signal, and the service sends none but
 * SIGKILL, so those codes mean SIGXCPU, unless it ended too soon to have used its CPU seconds on
 * every core (then someone else signalled it: a terminal's Ctrl-C, a service manager's SIGTERM).
 * A plain SIGKILL stays unexplained (the OOM killer, say).
 */
export function limitBreach(end: {
  readonly code: number | null; readonly signal: string | null; readonly stderr: readonly string[];
  readonly elapsedMs: number; readonly cores: number; readonly cpuSeconds: number;
}): LimitBreach | null {
  if (end.signal === 'SIGXFSZ' || end.stderr.some((l) => /File too large/i.test(l))) return 'output';
  if (end.signal === 'SIGXCPU') return 'cpu';
  if ((end.code === 255 || end.code === 123) && end.elapsedMs * end.cores >= end.cpuSeconds * 1000) return 'cpu';
  if (end.code !== 0 && end.stderr.some((l) => /malloc of size \d+ failed|Cannot allocate memory|out of memory/i.test(l))) return 'memory';
  return null;
}

/** The uploader's message for a breached limit. */
export function breachMessage(breach: LimitBreach, limits: ProcessLimits): string {
  switch (breach) {
    case 'cpu': return `The file could not be converted within the processing limit (${limits.cpuSeconds} s of CPU time).`;
    case 'output': return `The conversion was stopped: its output grew past the limit of ${limits.maxOutputMb} MB.`;
    case 'memory': return `The file needs more than ${limits.memoryMb} MB of memory to convert.`;
  }
}
