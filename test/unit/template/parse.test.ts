// Parser table tests in the style of Go's text/template/parse/parse_test.go: the parsed tree prints
// back as canonical template text, and bad input gives Go's error messages.

import { describe, expect, test } from "vitest";
import { parse, TemplateParseError } from "../../../src/template/parse.js";

const funcs = new Set(["printf", "contains", "and", "or", "not", "len", "index", "eq"]);
const hasFunction = (n: string): boolean => funcs.has(n);

function printed(input: string): string {
  const trees = parse("test", input, hasFunction);
  return trees.get("test")?.root.toString() ?? "";
}

const ok: [string, string, string][] = [
  ["empty", "", ""],
  ["comment", "{{/*\n\n\n*/}}", ""],
  ["spaces", " \t\n", " \t\n"],
  ["text", "some text", "some text"],
  ["emptyAction", "{{printf}}", "{{printf}}"],
  ["field", "{{.X}}", "{{.X}}"],
  ["simple command", "{{printf}}", "{{printf}}"],
  ["$ invocation", "{{$}}", "{{$}}"],
  ["variable invocation", "{{with $x := 3}}{{$x 23}}{{end}}", "{{with $x := 3}}{{$x 23}}{{end}}"],
  ["variable with fields", "{{$.I}}", "{{$.I}}"],
  ["multi-word command", "{{printf `%d` 23}}", "{{printf `%d` 23}}"],
  ["pipeline", "{{.X|.Y}}", "{{.X | .Y}}"],
  ["pipeline with decl", "{{$x := .X|.Y}}", "{{$x := .X | .Y}}"],
  ["nested pipeline", "{{.X (.Y .Z) (.A | .B .C) (.E)}}", "{{.X (.Y .Z) (.A | .B .C) (.E)}}"],
  ["field applied to parentheses", "{{(.Y .Z).Field}}", "{{(.Y .Z).Field}}"],
  ["simple if", "{{if .X}}hello{{end}}", "{{if .X}}hello{{end}}"],
  ["if with else", "{{if .X}}true{{else}}false{{end}}", "{{if .X}}true{{else}}false{{end}}"],
  ["if with else if", "{{if .X}}true{{else if .Y}}false{{end}}", "{{if .X}}true{{else}}{{if .Y}}false{{end}}{{end}}"],
  ["if else chain", "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+", "+{{if .X}}X{{else}}{{if .Y}}Y{{else}}{{if .Z}}Z{{end}}{{end}}{{end}}+"],
  ["simple range", "{{range .X}}hello{{end}}", "{{range .X}}hello{{end}}"],
  ["chained field range", "{{range .X.Y.Z}}hello{{end}}", "{{range .X.Y.Z}}hello{{end}}"],
  ["nested range", "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}", "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}"],
  ["range with else", "{{range .X}}true{{else}}false{{end}}", "{{range .X}}true{{else}}false{{end}}"],
  ["range over pipeline", "{{range .X|.M}}true{{else}}false{{end}}", "{{range .X | .M}}true{{else}}false{{end}}"],
  ["range []int", "{{range .SI}}{{.}}{{end}}", "{{range .SI}}{{.}}{{end}}"],
  ["range 1 var", "{{range $x := .SI}}{{.}}{{end}}", "{{range $x := .SI}}{{.}}{{end}}"],
  ["range 2 vars", "{{range $x, $y := .SI}}{{.}}{{end}}", "{{range $x, $y := .SI}}{{.}}{{end}}"],
  ["range with break", "{{range .SI}}{{.}}{{break}}{{end}}", "{{range .SI}}{{.}}{{break}}{{end}}"],
  ["range with continue", "{{range .SI}}{{.}}{{continue}}{{end}}", "{{range .SI}}{{.}}{{continue}}{{end}}"],
  ["constants", "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}", "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}"],
  ["template", `{{template "x"}}`, `{{template "x"}}`],
  ["template with arg", `{{template "x" .Y}}`, `{{template "x" .Y}}`],
  ["with", "{{with .X}}hello{{end}}", "{{with .X}}hello{{end}}"],
  ["with with else", "{{with .X}}hello{{else}}goodbye{{end}}", "{{with .X}}hello{{else}}goodbye{{end}}"],
  ["with with else with", "{{with .X}}hello{{else with .Y}}goodbye{{end}}", "{{with .X}}hello{{else}}{{with .Y}}goodbye{{end}}{{end}}"],
  ["trim left", "x \r\n\t{{- 3}}", "x{{3}}"],
  ["trim right", "{{3 -}}\n\n\ty", "{{3}}y"],
  ["trim left and right", "x \r\n\t{{- 3 -}}\n\n\ty", "x{{3}}y"],
  ["comment trim left", "x \r\n\t{{- /* hi */}}", "x"],
  ["block definition", `{{block "foo" .}}hello{{end}}`, `{{template "foo" .}}`],
  ["newline in assignment", "{{ $x \n := \n 1 \n }}", "{{$x := 1}}"],
  ["spaces around", "{{  .X  }}", "{{.X}}"],
  ["raw string keeps quoting", '{{printf "%d\\n" 1}}', '{{printf "%d\\n" 1}}'],
  ["assignment", "{{$x := 1}}{{$x = 2}}", "{{$x := 1}}{{$x = 2}}"],
  ["bool and/or", "{{and .A (or .B .C)}}", "{{and .A (or .B .C)}}"],
];

const bad: [string, string, string][] = [
  ["unclosed action", "hello{{range", "template: test:1: unclosed action"],
  ["unmatched end", "{{end}}", "template: test:1: unexpected {{end}}"],
  ["unmatched else", "{{else}}", "template: test:1: unexpected {{else}}"],
  ["missing end", "hello{{range .x}}", "template: test:1: unexpected EOF"],
  ["missing end after else", "hello{{range .x}}{{else}}", "template: test:1: unexpected EOF"],
  ["undefined function", "hello{{undefined}}", 'template: test:1: function "undefined" not defined'],
  ["undefined variable", "{{$x}}", 'template: test:1: undefined variable "$x"'],
  ["variable undefined after end", "{{with $x := 4}}{{end}}{{$x}}", 'template: test:1: undefined variable "$x"'],
  ["variable undefined in template", `{{template $v}}`, 'template: test:1: unexpected "$v" in template clause'],
  ["declare with field", "{{with $x.Y := 4}}{{end}}", 'template: test:1: undefined variable "$x"'],
  ["template with field ref", "{{template .X}}", 'template: test:1: unexpected ".X" in template clause'],
  ["template with var", "{{template $v}}", 'template: test:1: unexpected "$v" in template clause'],
  ["invalid punctuation", "{{printf 3, 4}}", 'template: test:1: unexpected "," in operand'],
  ["multidecl outside range", "{{with $v, $u := 3}}{{end}}", "template: test:1: too many declarations in with"],
  ["too many decl in range", "{{range $u, $v, $w := 3}}{{end}}", "template: test:1: too many declarations in range"],
  ["dot applied to parentheses", "{{printf (printf .).}}", "template: test:1: unexpected <.> in operand"],
  ["adjacent args", "{{printf 3`x`}}", 'template: test:1: unexpected "`x`" in operand'],
  ["adjacent args with .", "{{printf `x`.}}", "template: test:1: unexpected <.> in operand"],
  ["extra end after if", "{{if .X}}a{{else if .Y}}b{{end}}{{end}}", "template: test:1: unexpected {{end}}"],
  ["break outside range", "{{range .}}{{end}} {{break}}", "template: test:1: {{break}} outside {{range}}"],
  ["continue outside range", "{{range .}}{{end}} {{continue}}", "template: test:1: {{continue}} outside {{range}}"],
  ["break in range else", "{{range .}}{{else}}{{break}}{{end}}", "template: test:1: {{break}} outside {{range}}"],
  ["break with args", "{{range .}}{{break 1}}{{end}}", 'template: test:1: unexpected "1" in {{break}}'],
  ["non-executable stage", "{{ 1 | 2 }}", "template: test:1: non executable command in pipeline stage 2"],
  ["dot after string", '{{ "a".b }}', 'template: test:1: unexpected . after term "\\"a\\""'],
  ["nested define", '{{if true}}{{define "x"}}{{end}}{{end}}', "template: test:1: unexpected <define> in command"],
  ["multiple definition", '{{define "a"}}a{{end}}{{define "a"}}b{{end}}', 'template: test:1: template: multiple definition of template "a"'],
  ["error on line 3", "a\nb\n{{ .x | 1 }}", "template: test:3: non executable command in pipeline stage 2"],
  ["action spanning lines", "{{ .x\n\n 'ab' }}", "template: test:3: malformed character constant: 'ab'"],
];

describe("parse", () => {
  for (const [name, input, want] of ok) {
    test(name, () => {
      expect(printed(input)).toBe(want);
    });
  }
  for (const [name, input, want] of bad) {
    test(`error: ${name}`, () => {
      let err: unknown;
      try {
        parse("test", input, hasFunction);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TemplateParseError);
      expect((err as Error).message).toBe(want);
    });
  }

  test("define and block add named trees", () => {
    const trees = parse("test", `{{define "a"}}A{{.}}{{end}}x{{block "b" .}}B{{end}}`, hasFunction);
    expect([...trees.keys()].sort()).toEqual(["a", "b", "test"]);
    expect(trees.get("a")?.root.toString()).toBe("A{{.}}");
    expect(trees.get("b")?.root.toString()).toBe("B");
    expect(trees.get("test")?.root.toString()).toBe(`x{{template "b" .}}`);
  });

  test("an empty redefinition within one text keeps the first", () => {
    const trees = parse("test", `{{define "a"}}A{{end}}{{define "a"}}  {{end}}`, hasFunction);
    expect(trees.get("a")?.root.toString()).toBe("A");
  });
});
