// Runs a command under a pseudo-terminal with util-linux `script -qfec "<cmd>" /dev/null`, so the child sees a TTY on
// stdout and stderr (as a developer's terminal would) and the test gets everything it wrote, escape sequences included.
import { spawn } from "node:child_process";

export interface PtyResult {
  /** stdout and stderr of the command as the terminal received them (CRLF line ends, ANSI sequences kept). */
  readonly output: string;
  readonly code: number;
}

/** Quotes one argument for the shell `script` runs the command with. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export function runInPty(
  argv: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; timeoutMs?: number; columns?: number; rows?: number },
): Promise<PtyResult> {
  // `stty` sets the pty's size before the command starts: without a controlling terminal of our own, script's pty is 0x0.
  const size = `stty cols ${options.columns ?? 120} rows ${options.rows ?? 40} 2>/dev/null; `;
  const command = `${size}exec ${argv.map(shellQuote).join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: options.cwd,
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], SHELL: "/bin/sh", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ output, code: code ?? -1 });
    });
  });
}

/** The text without CSI/OSC escape sequences and carriage returns. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[()][A-Z0-9]/g, "").replace(/\r/g, "");
}
