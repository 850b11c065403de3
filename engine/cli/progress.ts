// Progress on stderr for long CLI commands: a self-rewriting line on a terminal, an occasional line
// otherwise, nothing for work that ends within a second. CLI process only.

/** Reports progress of something that has `total` steps. */
export interface Progress {
  update(done: number, total: number, detail?: string): void;
  done(): void;
}

const QUIET_MS = 1000;
const PIPE_INTERVAL_MS = 5000;

export function stderrProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const startMs = Date.now();
  let lastMs = 0;
  let shown = false;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - startMs < QUIET_MS) return;
      if (stream.isTTY) {
        if (now - lastMs < 100 && done < total) return;
        const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
        stream.write(`\r${label} ${done}/${total} (${pct}%)${detail ? ` ${detail}` : ''}\u001b[K`);
      } else {
        if (now - lastMs < PIPE_INTERVAL_MS && done < total) return;
        stream.write(`${label} ${done}/${total}${detail ? ` ${detail}` : ''}\n`);
      }
      lastMs = now;
      shown = true;
    },
    done() {
      if (shown && stream.isTTY) stream.write('\r\u001b[K');
    },
  };
}
