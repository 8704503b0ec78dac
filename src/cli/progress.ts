/** A text progress bar for long CLI commands, drawn on stderr so stdout stays the result. */

export function renderProgress(done: number, total: number, label: string, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total}${label ? ` ${label}` : ''}`;
}

/**
 * Redraws one line on a terminal; elsewhere (CI logs, pipes) prints a line per 10% so the log
 * shows progress without thousands of lines.
 */
export function progressBar(stream: NodeJS.WriteStream): (done: number, total: number, label: string) => void {
  let lastDecile = -1;
  return (done, total, label) => {
    const line = renderProgress(done, total, label);
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K${done === total ? '\n' : ''}`);
      return;
    }
    const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (decile !== lastDecile || done === total) {
      if (decile !== lastDecile) stream.write(`${line}\n`);
      lastDecile = decile;
    }
  };
}
