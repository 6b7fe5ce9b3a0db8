/** Go's text for the errno values slipway meets on files (syscall.Errno.Error()). */
const GO_ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "not a directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
};

/** The errno code of a Node error (`ENOENT`), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A failed file operation the way Go's `*PathError` prints it (`open /x: no such file or directory`). */
export function goPathError(op: string, path: string, error: unknown): string {
  const code = errnoCode(error);
  const text = code === undefined ? undefined : GO_ERRNO_TEXT[code];
  if (text !== undefined) return `${op} ${path}: ${text}`;
  return error instanceof Error ? error.message : String(error);
}
