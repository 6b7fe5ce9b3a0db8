// The process's standard input as a CliInput: read to the end (a pipe), or one hidden line typed at the terminal.
import process from "node:process";
import type { CliInput } from "./context.js";

async function readAll(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Raw mode, no echo, until Enter; Ctrl-C or Ctrl-D ends the input as it is; Backspace removes a character. */
function readHidden(prompt: string): Promise<Buffer> {
  if (process.stdout.isTTY) process.stdout.write(prompt);
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error): void => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      if (process.stdout.isTTY) process.stdout.write("\n");
      if (error === undefined) resolve(Buffer.from(typed));
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const c of chunk.toString()) {
        if (c === "\r" || c === "\n" || c === "\u0004") return done();
        if (c === "\u0003") return done(new Error("interrupted"));
        if (c === "\u007f" || c === "\b") typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}

/** The stream is made on first use: `process.stdin` loads Node's stream, readline and fs/promises modules. */
export function processStdin(): CliInput {
  return {
    get isTTY() {
      return process.stdin.isTTY === true;
    },
    readAll,
    readHidden,
  };
}
