/**
 * Turns BuildEvents into werf-style build output: a plan block, one `┌ │ └` block per image with its info
 * section, and the duration. Images that run in parallel are buffered and printed whole when they finish; the
 * block of a failed image is held back and printed last, so the error is the last thing on screen.
 * Only src/cli uses this module.
 */
import type { BuildEvent, BuiltImage } from "../build/phase.js";

export interface BuildLogOptions {
  readonly write: (text: string) => void;
  /** `--log-pretty`: borders and emojis. */
  readonly pretty: boolean;
  readonly color: boolean;
  /** `--log-quiet`: print failed images only. */
  readonly quiet?: boolean;
}

interface Block {
  readonly title: string;
  readonly lines: string[];
}

function formatSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${mib.toFixed(1)} MiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} seconds`;
}

export class BuildLog {
  private readonly blocks = new Map<string, Block>();
  private readonly failed: string[] = [];

  constructor(private readonly options: BuildLogOptions) {}

  private style(text: string, code: string): string {
    return this.options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  private open(title: string): string {
    return this.options.pretty ? `┌ ${title}` : title;
  }

  private line(text: string): string {
    return this.options.pretty ? `│ ${text}` : `  ${text}`;
  }

  private close(title: string): string {
    return this.options.pretty ? `└ ${title}` : title;
  }

  private info(result: BuiltImage): string[] {
    const rows: [string, string][] = [
      ["name", result.ref],
      ["id", result.imageId.replace(/^sha256:/, "").slice(0, 12)],
      ["digest", result.manifestDigest],
      ["size", formatSize(result.size)],
    ];
    return rows.map(([k, v]) => this.line(`${k.padStart(9)}: ${v}`));
  }

  readonly handle = (event: BuildEvent): void => {
    switch (event.kind) {
      case "plan": {
        const limit = event.limit <= 0 ? "unlimited" : `no more than ${event.limit}`;
        const title = `Concurrent build plan (${limit} images at the same time)`;
        const lines = [this.open(title)];
        event.sets.forEach((set, i) => {
          lines.push(this.line(`Set #${i}:`));
          for (const name of set) lines.push(this.line(`- image ${name}`));
        });
        lines.push(this.close(title), "");
        if (!this.options.quiet) this.options.write(`${lines.join("\n")}\n`);
        return;
      }
      case "image-start": {
        const icon = this.options.pretty ? (event.final ? "🛳️  " : "🏗️  ") : "";
        const title = this.style(`${icon}(${event.index}/${event.total}) image ${event.image}`, event.final ? "1;33" : "1;36");
        this.blocks.set(event.image, { title, lines: [this.open(title)] });
        return;
      }
      case "image-reused": {
        const block = this.blocks.get(event.image);
        block?.lines.push(this.line(`Use previously built image for ${event.image}/dockerfile`), ...this.info(event.result));
        return;
      }
      case "build-start":
        this.blocks.get(event.image)?.lines.push(this.line(`Building stage ${event.image}/dockerfile`));
        return;
      case "build-output":
        this.blocks.get(event.image)?.lines.push(this.line(`  ${event.line}`));
        return;
      case "push":
        this.blocks.get(event.image)?.lines.push(this.line(`Store stage into ${event.ref.slice(0, event.ref.lastIndexOf(":"))}`));
        return;
      case "image-built":
        this.blocks.get(event.image)?.lines.push(this.line("Info"), ...this.info(event.result));
        return;
      case "warning":
        this.options.write(`${this.style(event.text, "1;33")}\n`);
        return;
      case "image-done": {
        const block = this.blocks.get(event.image);
        if (!block) return;
        block.lines.push(this.close(`${block.title} (${seconds(event.ms)})`), "");
        if (!this.options.quiet) this.options.write(`${block.lines.join("\n")}\n`);
        this.blocks.delete(event.image);
        return;
      }
      case "image-failed": {
        const block = this.blocks.get(event.image);
        if (!block) return;
        block.lines.push(this.close(`${block.title} ${this.style(`(${seconds(event.ms)}) FAILED`, "1;31")}`), "");
        this.failed.push(block.lines.join("\n"));
        this.blocks.delete(event.image);
        return;
      }
    }
  };

  /** Prints the held-back blocks of failed images. */
  finish(): void {
    for (const text of this.failed) this.options.write(`${text}\n`);
    this.failed.length = 0;
  }
}
