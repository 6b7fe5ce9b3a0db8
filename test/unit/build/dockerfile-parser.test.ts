import { describe, expect, it } from "vitest";
import { formatError } from "../../../src/errors.js";
import {
  DockerfileSyntaxError,
  type Instruction,
  parseDockerfile,
  parseDockerfileAst,
} from "../../../src/build/dockerfile/parser.js";

// Cases modelled on BuildKit's frontend/dockerfile/parser tests (parser_test.go, parser_heredoc_test.go,
// testfiles/*) and instructions/parse_test.go. `code` is what BuildKit's String() returns: the trimmed logical line.

function only(text: string): Instruction {
  const df = parseDockerfile(text);
  const cmd = df.stages[0]?.commands[0];
  if (cmd === undefined) throw new Error("no instruction");
  return cmd;
}

function syntaxError(text: string): DockerfileSyntaxError {
  try {
    parseDockerfile(text);
  } catch (err) {
    if (err instanceof DockerfileSyntaxError) return err;
    throw err;
  }
  throw new Error("expected a syntax error");
}

describe("parseDockerfileAst: lines", () => {
  it.each([
    ["continuation keeps the spaces around the escape", "RUN echo \\\n  hello\n", "RUN echo   hello"],
    ["continuation directly after a word", "RUN echo\\\nhello\n", "RUN echohello"],
    ["continuation with trailing blanks", "RUN a \\  \t\n  b\n", "RUN a   b"],
    ["escaped escape is not a continuation", "RUN echo foo\\\\\nRUN x\n", "RUN echo foo\\\\"],
    ["comment lines inside a continuation are dropped", "RUN a \\\n# comment\n  # indented\n  && b\n", "RUN a   && b"],
    ["CRLF line endings", "RUN a \\\r\n  b\r\n", "RUN a   b"],
    ["leading whitespace of the first line", "   RUN   x  \n", "RUN   x"],
    ["byte order mark", "\uFEFFRUN x\n", "RUN x"],
    ["keyword case is kept in the text", "rUn x\n", "rUn x"],
  ])("%s", (_, text, code) => {
    const ast = parseDockerfileAst(`FROM scratch\n${text}`);
    expect(ast.nodes[1]?.original.trim()).toBe(code);
  });

  it("records start and end lines across continuations, comments and blank lines", () => {
    const ast = parseDockerfileAst("# c\n\nFROM a\nRUN x \\\n\n  y\n\nCMD z\n");
    expect(ast.nodes.map((n) => [n.keyword, n.startLine, n.endLine])).toEqual([
      ["FROM", 3, 3],
      ["RUN", 4, 6],
      ["CMD", 8, 8],
    ]);
    expect(ast.warnings[0]).toContain("Empty continuation line found in");
  });

  it("honours the escape directive (backtick continuations, backslash literal)", () => {
    const ast = parseDockerfileAst("# escape=`\nFROM windows\nRUN dir c:\\ `\n  /s\n");
    expect(ast.escapeToken).toBe("`");
    expect(ast.nodes[1]?.original).toBe("RUN dir c:\\   /s");
  });

  it("reads directives only before anything else", () => {
    expect(parseDockerfileAst("# syntax=docker/dockerfile:1.7\n#escape = `\nFROM a\n").escapeToken).toBe("`");
    expect(parseDockerfileAst("# syntax=docker/dockerfile:1.7\nFROM a\n").syntax).toBe("docker/dockerfile:1.7");
    expect(parseDockerfileAst("\n# escape=`\nFROM a\n").escapeToken).toBe("\\");
    expect(parseDockerfileAst("# comment\n# escape=`\nFROM a\n").escapeToken).toBe("\\");
    expect(() => parseDockerfileAst("# escape=x\nFROM a\n")).toThrow(/invalid escape token/);
    expect(() => parseDockerfileAst("# escape=`\n# escape=`\nFROM a\n")).toThrow(/only one escape parser directive/);
  });

  it("rejects a file with no instructions", () => {
    expect(() => parseDockerfileAst("# nothing\n\n")).toThrow(/file with no instructions/);
  });
});

describe("parseDockerfileAst: heredocs", () => {
  it("attaches bodies to RUN and keeps counting lines", () => {
    const ast = parseDockerfileAst("FROM a\nRUN <<EOF\necho hi\necho there\nEOF\nCMD x\n");
    const run = ast.nodes[1];
    expect(run?.original).toBe("RUN <<EOF");
    expect(run?.heredocs).toEqual([{ name: "EOF", fileDescriptor: 0, expand: true, chomp: false, content: "echo hi\necho there\n" }]);
    expect([run?.startLine, run?.endLine]).toEqual([2, 5]);
    expect(ast.nodes[2]?.startLine).toBe(6);
  });

  it("handles several heredocs, quoted delimiters, <<- and file descriptors", () => {
    const ast = parseDockerfileAst('FROM a\nRUN 3<<"A" cat /dev/fd/3 <<-B\nx $y\nA\n\tz\n\tB\n');
    expect(ast.nodes[1]?.heredocs).toEqual([
      { name: "A", fileDescriptor: 3, expand: false, chomp: false, content: "x $y\n" },
      { name: "B", fileDescriptor: 0, expand: true, chomp: true, content: "\tz\n" },
    ]);
  });

  it("does not look for heredocs in the JSON form or in other instructions", () => {
    const ast = parseDockerfileAst('FROM a\nRUN ["cat", "<<EOF"]\nLABEL x=<<EOF\n');
    expect(ast.nodes.map((n) => n.heredocs.length)).toEqual([0, 0, 0]);
  });

  it("fails on an unterminated heredoc", () => {
    expect(() => parseDockerfileAst("FROM a\nRUN <<EOF\necho\n")).toThrow(/unterminated heredoc/);
  });

  it("turns COPY heredocs into inline sources", () => {
    const cmd = only("FROM a\nCOPY <<-EOT a.txt /dst/\n\thello\n\tEOT\n");
    expect(cmd.kind).toBe("copy");
    if (cmd.kind !== "copy") return;
    expect(cmd.sources).toEqual(["a.txt"]);
    expect(cmd.sourceContents).toEqual([{ path: "EOT", data: "hello\n", expand: true }]);
    expect(cmd.dest).toBe("/dst/");
  });
});

describe("parseDockerfile: instructions", () => {
  it("groups instructions into stages with meta ARGs before the first FROM", () => {
    const df = parseDockerfile(
      "ARG BASE=alpine\nARG TAG\nFROM --platform=$BUILDPLATFORM ${BASE}:${TAG} AS Builder\nRUN make\nfrom builder\nCOPY --from=builder /out /out\n",
    );
    expect(df.metaArgs.flatMap((a) => a.args)).toEqual([{ key: "BASE", value: "alpine" }, { key: "TAG" }]);
    expect(df.stages.map((s) => [s.index, s.name, s.baseName, s.platform, s.line])).toEqual([
      [0, "builder", "${BASE}:${TAG}", "$BUILDPLATFORM", 3],
      [1, "", "builder", undefined, 5],
    ]);
    expect(df.stages[1]?.commands[0]).toMatchObject({ kind: "copy", from: "builder", sources: ["/out"], dest: "/out" });
  });

  it("parses JSON (exec) and shell forms", () => {
    expect(only('FROM a\nCMD ["echo", "a b"]\n')).toMatchObject({ kind: "cmd", json: true, cmdLine: ["echo", "a b"] });
    expect(only("FROM a\nCMD [echo\n")).toMatchObject({ kind: "cmd", json: false, cmdLine: ["[echo"] });
    expect(only('FROM a\nENTRYPOINT  ["x"]  \n')).toMatchObject({ json: true, cmdLine: ["x"] });
    expect(only('FROM a\nCOPY ["a b", "/dst"]\n')).toMatchObject({ kind: "copy", json: true, sources: ["a b"], dest: "/dst" });
    expect(syntaxError('FROM a\nCMD ["a", 1]\n').detail).toMatch(/arrays must be comprised of strings only/);
    expect(syntaxError("FROM a\nSHELL /bin/sh -c\n").detail).toMatch(/SHELL requires the arguments to be in JSON form/);
  });

  it("parses flags, keeping unknown ones for Docker to judge", () => {
    const cmd = only("FROM a\nCOPY --from=build --chown=1:1 --chmod=644 --link a b /dst\n");
    expect(cmd).toMatchObject({ from: "build", chown: "1:1", chmod: "644", link: true, sources: ["a", "b"] });
    expect(only('FROM a\nCOPY --chown "u:g" x /y\n')).toMatchObject({ chown: "u:g", sources: ["x"] });
    const run = only('FROM a\nRUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=Build,source=/s,target=/t --network=none make\n');
    expect(run).toMatchObject({
      kind: "run",
      cmdLine: ["make"],
      mounts: [
        { type: "cache", target: "/root/.cache" },
        { type: "bind", from: "Build", source: "/s", target: "/t" },
      ],
    });
    expect(syntaxError("FROM a\nCOPY --from x /y\n").detail).toMatch(/requires at least two arguments/);
    expect(syntaxError("FROM a\nCOPY --chown x /y\n").detail).toMatch(/requires at least two arguments/);
    expect(syntaxError("FROM a\nCOPY --from=a --from=b x /y\n").detail).toMatch(/Duplicate flag specified: from/);
  });

  it("parses ENV and LABEL in both forms, keeping quotes for the expander", () => {
    expect(only("FROM a\nENV FOO bar baz\n")).toMatchObject({ kind: "env", env: [{ key: "FOO", value: "bar baz" }] });
    expect(only('FROM a\nENV A=1 B="x y" C=\\ z\n')).toMatchObject({
      env: [
        { key: "A", value: "1" },
        { key: "B", value: '"x y"' },
        { key: "C", value: "\\ z" },
      ],
    });
    expect(only('FROM a\nLABEL "com.example"="v 1"\n')).toMatchObject({ labels: [{ key: '"com.example"', value: '"v 1"' }] });
    expect(syntaxError("FROM a\nENV FOO\n").detail).toBe("ENV must have two arguments");
    expect(syntaxError("FROM a\nENV A=1 B\n").detail).toMatch(/can't find = in "B"/);
  });

  it("parses ARG names with and without defaults", () => {
    expect(only('FROM a\nARG A B=2 C="q q" D=\n')).toMatchObject({
      args: [{ key: "A" }, { key: "B", value: "2" }, { key: "C", value: '"q q"' }, { key: "D", value: "" }],
    });
    expect(syntaxError("FROM a\nARG =x\n").detail).toBe("ARG names can not be blank");
  });

  it("keeps ONBUILD's trigger and werf's expression", () => {
    const cmd = only("FROM a\nonbuild   RUN echo hi\n");
    expect(cmd).toMatchObject({ kind: "onbuild", expression: "RUN echo hi", trigger: { kind: "run", code: "RUN echo hi" } });
    expect(syntaxError("FROM a\nONBUILD FROM b\n").detail).toMatch(/isn't allowed as an ONBUILD trigger/);
    expect(syntaxError("FROM a\nONBUILD ONBUILD RUN x\n").detail).toMatch(/Chaining ONBUILD/);
  });

  it("parses the one-argument and list instructions", () => {
    expect(only("FROM a\nWORKDIR /app dir\n")).toMatchObject({ kind: "workdir", value: "/app dir" });
    expect(only("FROM a\nEXPOSE 8080 443/tcp 80\n")).toMatchObject({ kind: "expose", values: ["443/tcp", "80", "8080"] });
    expect(only('FROM a\nVOLUME ["/a", "/b"]\n')).toMatchObject({ kind: "volume", values: ["/a", "/b"] });
    expect(only("FROM a\nHEALTHCHECK --interval=5s CMD curl -f x\n")).toMatchObject({ test: ["CMD-SHELL", "curl -f x"] });
    expect(only("FROM a\nHEALTHCHECK NONE\n")).toMatchObject({ test: ["NONE"] });
    expect(syntaxError("FROM a\nWORKDIR\n").detail).toBe("WORKDIR requires exactly one argument");
  });

  it("names the file and line of an unknown instruction", () => {
    const err = syntaxError("FROM alpine\n\nRUN true\nFORM x\n");
    expect(err.detail).toBe("unknown instruction: FORM (did you mean FROM?)");
    expect(err.message).toBe("Dockerfile:4: unknown instruction: FORM (did you mean FROM?)");
    expect([err.file, err.line]).toEqual(["Dockerfile", 4]);
    expect(formatError(err)).toBe("Error: Dockerfile:4: unknown instruction: FORM (did you mean FROM?)\n");
    const other = (() => {
      try {
        parseDockerfile("FROM a\nFLY away\n", { file: "app/Dockerfile" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(formatError(other)).toBe("Error: app/Dockerfile:2: unknown instruction: FLY\n");
  });

  it("rejects instructions before FROM and bad FROM lines", () => {
    expect(syntaxError("RUN x\nFROM a\n").detail).toBe("no build stage in current context");
    expect(syntaxError("FROM a AS 1st\n").detail).toMatch(/invalid name for build stage/);
    expect(syntaxError("FROM a b\n").detail).toBe("FROM requires either one or three arguments");
  });
});
