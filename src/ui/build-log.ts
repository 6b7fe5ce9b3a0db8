/**
 * Turns BuildEvents into werf-style build output: a plan block, one `┌ │ └` block per image with its info
 * section, and the duration. As in werf, one image at a time (the "foreground" one) is printed live; images that
 * run beside it are buffered and printed whole when their turn comes. The block of a failed background image is
 * held back and printed last, so the error is the last thing on screen.
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
  /** The image printed live; the others wait in `blocks`. */
  private foreground: string | undefined;

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

  /** Adds lines to an image's block: printed at once for the foreground image, buffered otherwise. */
  private add(image: string, ...lines: string[]): void {
    const block = this.blocks.get(image);
    if (!block) return;
    // With --log-quiet nothing is printed live: every image's lines are kept, so a failure can show them.
    if (image === this.foreground && !this.options.quiet) {
      this.options.write(lines.map((l) => `${l}\n`).join(""));
    } else {
      block.lines.push(...lines);
    }
  }

  /** The next running image becomes the foreground one: its buffered lines are printed and it goes on live. */
  private promoteNext(): void {
    this.foreground = undefined;
    const next = this.blocks.keys().next();
    if (next.done) return;
    this.foreground = next.value;
    const block = this.blocks.get(next.value);
    if (block === undefined || this.options.quiet) return;
    this.options.write(block.lines.map((l) => `${l}\n`).join(""));
    block.lines.length = 0;
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
        if (this.foreground === undefined) this.promoteNext();
        return;
      }
      case "image-reused":
        this.add(event.image, this.line(`Use previously built image for ${event.image}/dockerfile`), ...this.info(event.result));
        return;
      case "build-start":
        this.add(event.image, this.line(`Building stage ${event.image}/dockerfile`));
        return;
      case "build-output":
        this.add(event.image, this.line(`  ${event.line}`));
        return;
      case "push":
        this.add(event.image, this.line(`Store stage into ${event.ref.slice(0, event.ref.lastIndexOf(":"))}`));
        return;
      case "image-built":
        this.add(event.image, this.line("Info"), ...this.info(event.result));
        return;
      case "warning":
        this.options.write(`${this.style(event.text, "1;33")}\n`);
        return;
      case "image-done": {
        const block = this.blocks.get(event.image);
        if (!block) return;
        this.add(event.image, this.close(`${block.title} (${seconds(event.ms)})`), "");
        if (event.image !== this.foreground && !this.options.quiet) this.options.write(`${block.lines.join("\n")}\n`);
        this.blocks.delete(event.image);
        if (event.image === this.foreground) this.promoteNext();
        return;
      }
      case "image-failed": {
        const block = this.blocks.get(event.image);
        if (!block) return;
        const closing = this.close(`${block.title} ${this.style(`(${seconds(event.ms)}) FAILED`, "1;31")}`);
        if (event.image === this.foreground) {
          // Its output is already on screen; with --log-quiet it was not: the whole block is printed at the end.
          if (this.options.quiet) this.failed.push([...block.lines, closing, ""].join("\n"));
          else this.options.write(`${closing}\n\n`);
          this.blocks.delete(event.image);
          this.promoteNext();
        } else {
          this.failed.push([...block.lines, closing, ""].join("\n"));
          this.blocks.delete(event.image);
        }
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
