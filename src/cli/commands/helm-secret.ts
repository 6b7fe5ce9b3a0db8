// `helm secret ...`: werf v2's commands for secret keys, values and files (cmd/werf/helm/secret and nelm's
// pkg/legacy/secret): generate-secret-key, encrypt, decrypt, values encrypt|decrypt|edit, file encrypt|decrypt|edit.
// The key is $WERF_SECRET_KEY, else <--dir or the current directory>/.werf_secret_key, else
// <werf home>/global_secret_key. Input is a FILE_PATH argument or a pipe (a terminal prompts, hidden, for
// encrypt/decrypt); output goes to stdout or to -o/--output-file-path.
import { SlipwayError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { parseFlagsOrHelp, renderCommandHelp, renderFlagsHelp, visibleFlagNames, type FlagSpec } from "../flags.js";
import { CONVERGE_FLAGS, type ConvergeFlagValues } from "../options.js";

export const HELM_SECRET_SUMMARY = "Work with secrets";

export type SecretFlags = Pick<ConvergeFlagValues, "dir" | "homeDir" | "tmpDir"> & { outputFilePath: string };

const COMMON = ["dir", "tmp-dir", "home-dir", "git-work-tree", "giterminism-config", "loose-giterminism", "dev", "dev-branch", "dev-ignore"];
const commonFlags = CONVERGE_FLAGS.filter((f) => f.group === "log" || COMMON.includes(f.name)) as unknown as FlagSpec<SecretFlags>[];
const OUTPUT: FlagSpec<SecretFlags> = { kind: "string", name: "output-file-path", short: "o", key: "outputFilePath", default: "", description: "Write to file instead of stdout" };

export type Mode = "data" | "values" | "file";

interface Leaf {
  readonly path: string;
  readonly summary: string;
  readonly usage: string;
  readonly output: boolean;
  readonly examples?: string;
  readonly run: (positionals: readonly string[], flags: SecretFlags, ctx: CommandContext) => Promise<void>;
}

const LEAVES: readonly Leaf[] = [
  {
    path: "generate-secret-key",
    summary: "Generate hex encryption key",
    usage: "generate-secret-key",
    output: false,
    examples: "# Export encryption key\n$ export WERF_SECRET_KEY=$(werf helm secret generate-secret-key)\n\n# Save encryption key in .werf_secret_key file\n$ werf helm secret generate-secret-key > .werf_secret_key",
    run: async (_p, _f, ctx) => {
      const { generateSecretKey } = await import("../../secret/cipher.js");
      ctx.stdout.write(`${generateSecretKey()}\n`);
    },
  },
  {
    path: "rotate-secret-key",
    summary: "Regenerate secret files with new secret key",
    usage: "rotate-secret-key [EXTRA_SECRET_VALUES_FILE_PATH...]",
    output: false,
    examples: "# Regenerate .helm/secret-values.yaml, .helm/secret/** and the given files with a new key\n$ WERF_OLD_SECRET_KEY=$(cat .werf_secret_key) WERF_SECRET_KEY=$(werf helm secret generate-secret-key) werf helm secret rotate-secret-key .helm/secret-values-prod.yaml",
    run: async (p, f, ctx) => (await ops()).rotate(p, f, ctx),
  },
  { path: "encrypt", summary: "Encrypt data", usage: "encrypt", output: true, examples: "# Encrypt from a pipe and save result in file\n$ date | werf helm secret encrypt -o .helm/secret/date", run: async (_p, f, ctx) => (await ops()).encrypt(undefined, "data", f, ctx) },
  { path: "decrypt", summary: "Decrypt data", usage: "decrypt", output: true, examples: "# Decrypt from a pipe\n$ cat .helm/secret/date | werf helm secret decrypt", run: async (_p, f, ctx) => (await ops()).decrypt(undefined, "data", f, ctx) },
  { path: "values encrypt", summary: "Encrypt values file data", usage: "values encrypt [FILE_PATH]", output: true, examples: "# Encrypt and save result in file\n$ werf helm secret values encrypt test.yaml -o .helm/secret-values.yaml", run: async (p, f, ctx) => (await ops()).encrypt(p[0], "values", f, ctx) },
  { path: "values decrypt", summary: "Decrypt values file data", usage: "values decrypt [FILE_PATH]", output: true, examples: "# Decrypt secret values file\n$ werf helm secret values decrypt .helm/secret-values.yaml", run: async (p, f, ctx) => (await ops()).decrypt(p[0], "values", f, ctx) },
  { path: "values edit", summary: "Edit or create new secret values file", usage: "values edit FILE_PATH", output: false, examples: "# Create/edit existing secret values file\n$ werf helm secret values edit .helm/secret-values.yaml", run: async (p, f, ctx) => (await ops()).edit(p, "values", f, ctx) },
  { path: "file encrypt", summary: "Encrypt file data", usage: "file encrypt [FILE_PATH]", output: true, examples: "# Encrypt and save result in file\n$ werf helm secret file encrypt tls.crt -o .helm/secret/tls.crt", run: async (p, f, ctx) => (await ops()).encrypt(p[0], "file", f, ctx) },
  { path: "file decrypt", summary: "Decrypt file data", usage: "file decrypt [FILE_PATH]", output: true, examples: "# Decrypt secret file\n$ werf helm secret file decrypt .helm/secret/privateKey", run: async (p, f, ctx) => (await ops()).decrypt(p[0], "file", f, ctx) },
  { path: "file edit", summary: "Edit or create new secret file", usage: "file edit FILE_PATH", output: false, examples: "# Create/edit existing secret file\n$ werf helm secret file edit .helm/secret/privateKey", run: async (p, f, ctx) => (await ops()).edit(p, "file", f, ctx) },
];

/** The secret commands' work, loaded when one runs. */
const ops = () => import("./helm-secret-ops.js");

const flagsOf = (leaf: Leaf): FlagSpec<SecretFlags>[] => (leaf.output ? [...commonFlags, OUTPUT] : commonFlags);

function leafHelp(leaf: Leaf, programName: string): string {
  return renderCommandHelp({
    summary: leaf.summary,
    usage: `${programName} helm secret ${leaf.usage} [options]`,
    ...(leaf.examples === undefined ? {} : { examples: leaf.examples }),
    flags: renderFlagsHelp(flagsOf(leaf), `helm secret ${leaf.path}`),
  });
}

/** The help of `helm secret` or of one of its groups (`values`, `file`). */
export function helmSecretHelp(programName: string, group = ""): string {
  const prefix = group === "" ? "" : `${group} `;
  const rows = LEAVES.filter((l) => l.path.startsWith(prefix)).map((l) => l.path.slice(prefix.length));
  const children = new Map<string, string>();
  for (const row of rows) {
    const [head = "", rest] = row.split(" ");
    if (rest === undefined) children.set(head, LEAVES.find((l) => l.path === `${prefix}${head}`)?.summary ?? "");
    else children.set(head, head === "values" ? "Work with secret values files" : "Work with secret files");
  }
  const width = Math.max(...[...children.keys()].map((k) => k.length)) + 2;
  const list = [...children].map(([name, summary]) => `  ${name.padEnd(width)}${summary}`).join("\n");
  const title = group === "" ? HELM_SECRET_SUMMARY : group === "values" ? "Work with secret values files" : "Work with secret files";
  return `${title}\n\nUsage:\n  ${programName} helm secret ${prefix}[command]\n\nAvailable Commands:\n${list}\n\nUse "${programName} helm secret ${prefix}[command] --help" for more information about a command.\n`;
}

export async function helmSecretCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const [first, second] = args;
  const group = first === "values" || first === "file" ? first : "";
  const path = group === "" ? (first ?? "") : `${group} ${second ?? ""}`;
  const leaf = LEAVES.find((l) => l.path === path);
  if (leaf === undefined) {
    const word = group === "" ? first : second;
    if (word === undefined || word === "-h" || word === "--help" || word === "help") {
      ctx.stdout.write(helmSecretHelp(ctx.programName, group));
      return;
    }
    throw new SlipwayError(`unknown command "${word}" for "${ctx.programName} helm secret${group === "" ? "" : ` ${group}`}"`, { code: "usage" });
  }
  const parsed = parseFlagsOrHelp(flagsOf(leaf), args.slice(group === "" ? 1 : 2), ctx.env, ctx.stdout, () => leafHelp(leaf, ctx.programName));
  if (parsed === undefined) return;
  const max = leaf.path === "rotate-secret-key" ? Infinity : leaf.path === "generate-secret-key" || leaf.path === "encrypt" || leaf.path === "decrypt" ? 0 : 1;
  if (leaf.path.endsWith(" edit") && parsed.positionals.length !== 1) {
    throw new SlipwayError(`accepts 1 position argument, received ${parsed.positionals.length}`, { code: "usage" });
  }
  if (parsed.positionals.length > max) throw new SlipwayError(`accepts at most ${max} arg(s), received ${parsed.positionals.length}`, { code: "usage" });
  await leaf.run(parsed.positionals, parsed.values as unknown as SecretFlags, ctx);
}

export function helmSecretFlagNames(): string[] {
  return [...new Set(LEAVES.flatMap((l) => visibleFlagNames(flagsOf(l))))];
}
