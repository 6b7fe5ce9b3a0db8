// Executor table tests in the style of Go's text/template/exec_test.go.

import { describe, expect, test } from "vitest";
import { TemplateExecError, TemplateSet, GoInt, GoObject, GoFunc, formatFloat, sprintf } from "../../../src/template/index.js";

class Point extends GoObject {
  readonly goType = "*main.Point";
  override field(name: string): { value: unknown } | undefined {
    if (name === "X") return { value: GoInt.int(1) };
    if (name === "Y") return { value: GoInt.int(2) };
    return undefined;
  }
  override method(name: string): GoFunc | undefined {
    if (name === "Add") return new GoFunc("Add", ["int"], null, (n: unknown) => GoInt.int((n as GoInt).v + 3n), "int");
    return undefined;
  }
  format(): string {
    return "&{1 2}";
  }
}

const data = new Map<string, unknown>([
  ["I", GoInt.int(17)],
  ["F", 1.5],
  ["S", "xyz"],
  ["B", true],
  ["SI", [GoInt.int(3), GoInt.int(4), GoInt.int(5)]],
  ["SE", []],
  ["M", new Map<string, unknown>([["one", GoInt.int(1)], ["two", GoInt.int(2)], ["three", GoInt.int(3)]])],
  ["Nil", null],
  ["P", new Point()],
  ["Nested", new Map<string, unknown>([["a", new Map([["b", "deep"]])]])],
]);

function run(tpl: string, missingKey: "default" | "zero" = "default"): string {
  const ts = new TemplateSet(undefined, { missingKey });
  ts.parse("t", tpl);
  return ts.execute("t", data);
}

const ok: [string, string, string][] = [
  ["empty", "", ""],
  ["text", "some text", "some text"],
  ["dot int", "{{.I}}", "17"],
  ["dot float", "{{.F}}", "1.5"],
  ["dot string", "{{.S}}", "xyz"],
  ["dot slice", "{{.SI}}", "[3 4 5]"],
  ["dot map", "{{.M}}", "map[one:1 three:3 two:2]"],
  ["struct field", "{{.P.X}}-{{.P.Y}}", "1-2"],
  ["struct print", "{{.P}}", "&{1 2}"],
  ["method with arg", "{{.P.Add 4}}", "7"],
  ["method piped", "{{4 | .P.Add}}", "7"],
  ["nested map", "{{.Nested.a.b}}", "deep"],
  ["$", "{{$}}", "map[B:true F:1.5 I:17 M:map[one:1 three:3 two:2] Nested:map[a:map[b:deep]] Nil:<nil> P:&{1 2} S:xyz SE:[] SI:[3 4 5]]"],
  ["$.I", "{{$.I}}", "17"],
  ["declare", "{{$x := .I}}{{$x}}", "17"],
  ["missing key default", "{{.Missing}}", "<no value>"],
  ["missing chain default", "{{.Missing.x}}", "<no value>"],
  ["nil value", "{{.Nil}}", "<no value>"],
  ["if true", "{{if true}}T{{else}}F{{end}}", "T"],
  ["if empty slice", "{{if .SE}}T{{else}}F{{end}}", "F"],
  ["if else if", "{{if false}}a{{else if .I}}b{{end}}", "b"],
  ["with", "{{with .S}}{{.}}{{end}}", "xyz"],
  ["with else", "{{with .SE}}x{{else}}empty{{end}}", "empty"],
  ["range", "{{range .SI}}<{{.}}>{{end}}", "<3><4><5>"],
  ["range index", "{{range $i, $x := .SI}}{{$i}}{{$x}} {{end}}", "03 14 25 "],
  ["range map sorted", "{{range $k, $v := .M}}{{$k}}={{$v}} {{end}}", "one=1 three=3 two=2 "],
  ["range else", "{{range .SE}}x{{else}}none{{end}}", "none"],
  ["range break", "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", "3"],
  ["range continue", "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", "35"],
  ["range var scope", "{{range .SI}}{{$x := .}}{{end}}{{with 1}}ok{{end}}", "ok"],
  ["assign in range", "{{$s := 0}}{{range .SI}}{{$s = .}}{{end}}{{$s}}", "5"],
  ["template", `{{define "x"}}[{{.}}]{{end}}{{template "x" .I}}`, "[17]"],
  ["template fresh vars", `{{define "x"}}{{$}}{{end}}{{$y := 1}}{{template "x" 2}}`, "2"],
  ["block", `{{block "b" .S}}<{{.}}>{{end}}`, "<xyz>"],
  ["and", "{{and 1 0 2}} {{and 1 2}}", "0 2"],
  ["or", `{{or 0 "" "x"}} {{or 0 ""}}`, "x "],
  ["and short-circuit", "{{and .Nil .Nil.x}}", "<no value>"],
  ["not", "{{not 0}} {{not 1}}", "true false"],
  ["len", `{{len .SI}} {{len .M}} {{len "héllo"}}`, "3 3 6"],
  ["index", `{{index .SI 1}} {{index .M "two"}} {{index "abc" 1}}`, "4 2 98"],
  ["slice", `{{slice .SI 1}} {{slice .SI 1 2}} {{slice "abcd" 1 3}}`, "[4 5] [4] bc"],
  ["print", `{{print "a" 1 2 "b"}}`, "a1 2b"],
  ["println", `{{println 1 "a"}}`, "1 a\n"],
  ["printf", `{{printf "%d-%s-%v-%.2f" 3 "x" .SI 3.14159}}`, "3-x-[3 4 5]-3.14"],
  ["html", `{{html "<a>&'\\""}}`, "&lt;a&gt;&amp;&#39;&#34;"],
  ["js", `{{js "a'b<c"}}`, "a\\'b\\u003Cc"],
  ["urlquery", `{{urlquery "a b/c"}}`, "a+b%2Fc"],
  ["eq", `{{eq .I 17}} {{eq .S "a" "xyz"}} {{ne 1 2}}`, "true true true"],
  ["compare", `{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}}`, "true true true false"],
  ["parenthesized", "{{(.P).X}} {{(printf `%d` 1)}}", "1 1"],
  ["pipeline final arg", `{{"x" | printf "%s-%s" "a"}}`, "a-x"],
  ["trim", "a {{- 1 -}} b", "a1b"],
  ["comment", "a{{/* c */}}b", "ab"],
  ["char constant", "{{'a'}}", "97"],
  ["float literals", "{{1e6}} {{1.0}} {{0x10}}", "1e+06 1 16"],
];

const bad: [string, string, string, "default" | "zero"][] = [
  ["nil pointer with missingkey=zero", "{{.Missing.x}}", `template: t:1:10: executing "t" at <.Missing.x>: nil pointer evaluating interface {}.x`, "zero"],
  ["nil value field", "{{.Nil.x}}", `template: t:1:6: executing "t" at <.Nil.x>: nil pointer evaluating interface {}.x`, "default"],
  ["field of string (map value)", "{{.S.x}}", `template: t:1:4: executing "t" at <.S.x>: can't evaluate field x in type interface {}`, "default"],
  ["unknown struct field (map value)", "{{.P.Z}}", `template: t:1:4: executing "t" at <.P.Z>: can't evaluate field Z in type interface {}`, "default"],
  ["args to map key", "{{.M.one 1}}", `template: t:1:4: executing "t" at <.M.one>: one is not a method but has arguments`, "default"],
  ["eq type mismatch", "{{eq .F 1}}", `template: t:1:2: executing "t" at <eq .F 1>: error calling eq: incompatible types for comparison`, "default"],
  ["range over int", "{{range .I}}{{end}}", `template: t:1:8: executing "t" at <.I>: range can't iterate over 17`, "default"],
  ["template not defined", `{{template "nope"}}`, `template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined`, "default"],
  ["wrong arg type", "{{.P.Add .S}}", `template: t:1:9: executing "t" at <.S>: wrong type for value; expected int; got string`, "default"],
  ["literal of wrong type", `{{.P.Add "x"}}`, `template: t:1:9: executing "t" at <"x">: expected integer; found "x"`, "default"],
  ["index out of range", "{{index .SI 9}}", `template: t:1:2: executing "t" at <index .SI 9>: error calling index: index out of range: 9`, "default"],
];

describe("exec", () => {
  for (const [name, tpl, want] of ok) {
    test(name, () => {
      expect(run(tpl)).toBe(want);
    });
  }
  for (const [name, tpl, want, mk] of bad) {
    test(`error: ${name}`, () => {
      let err: unknown;
      try {
        run(tpl, mk);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TemplateExecError);
      expect((err as Error).message).toBe(want);
    });
  }

  test("structured error fields", () => {
    try {
      run("a\n  {{ .Missing.deep }}", "zero");
      expect.unreachable();
    } catch (e) {
      const err = e as TemplateExecError;
      expect(err.templateName).toBe("t");
      expect(err.location).toBe("t:2:13");
      expect(err.context).toBe(".Missing.deep");
      expect(err.detail).toBe("nil pointer evaluating interface {}.deep");
    }
  });

  test("calls of every arity get their arguments in order (locals up to three, an array beyond)", () => {
    const join = (...a: unknown[]): string => a.map((x) => String(x)).join(",");
    const ts = new TemplateSet(
      new Map([
        ["f0", new GoFunc("f0", [], null, () => "none", "string")],
        ["f3", new GoFunc("f3", ["string", "string", "string"], null, join, "string")],
        ["fv", new GoFunc("fv", ["string"], "any", join, "string")],
      ]),
    );
    ts.parse(
      "t",
      '{{f0}}|{{f3 "a" "b" "c"}}|{{"c" | f3 "a" "b"}}|{{fv "a"}}|{{fv "a" "b" "c" "d" "e"}}|{{"e" | fv "a" "b" "c" "d"}}|{{call .Fn "x" "y"}}',
    );
    const fn = new GoFunc("fn", ["string", "string"], null, join, "string");
    expect(ts.execute("t", new Map([["Fn", fn]]))).toBe("none|a,b,c|a,b,c|a|a,b,c,d,e|a,b,c,d,e|x,y");
  });

  test("function errors are wrapped", () => {
    const ts = new TemplateSet(
      new Map([
        [
          "boom",
          new GoFunc("boom", [], null, () => {
            throw new Error("bang");
          }),
        ],
      ]),
    );
    ts.parse("t", "{{boom}}");
    expect(() => ts.execute("t", null)).toThrow(`template: t:1:2: executing "t" at <boom>: error calling boom: bang`);
  });
});

describe("fmt", () => {
  const floats: [number, string][] = [
    [1, "1"],
    [1.5, "1.5"],
    [100000, "100000"],
    [1e6, "1e+06"],
    [1234567, "1.234567e+06"],
    [123456789, "1.23456789e+08"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1e21, "1e+21"],
    [-0.5, "-0.5"],
    [3, "3"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
  ];
  for (const [f, want] of floats) {
    test(`%v ${want}`, () => {
      expect(formatFloat(f, "g", -1)).toBe(want);
    });
  }

  const verbs: [string, unknown[], string][] = [
    ["%.2f", [0.125], "0.12"],
    ["%.0f", [2.5], "2"],
    ["%.1f", [0.25], "0.2"],
    ["%.3g", [1.0], "1"],
    ["%e", [123456.789], "1.234568e+05"],
    ["%05d", [GoInt.int(42)], "00042"],
    ["%-6d|", [GoInt.int(42)], "42    |"],
    ["%x", ["hé"], "68c3a9"],
    ["%q", ["é\u2028\x01"], '"é\\u2028\\x01"'],
    ["%q", [GoInt.int(5)], "'\\x05'"],
    ["%5.1s|", ["hello"], "    h|"],
    ["%s %s", ["a"], "a %!s(MISSING)"],
    ["%s", ["a", "b"], "a%!(EXTRA string=b)"],
    ["%d", [1.5], "%!d(float64=1.5)"],
    ["%[2]s %[1]s", ["a", "b"], "b a"],
    ["%v", [new Map<string, unknown>([["b", 1], ["a", [null, "x"]]])], "map[a:[<nil> x] b:1]"],
  ];
  for (const [format, args, want] of verbs) {
    test(`sprintf ${format}`, () => {
      expect(sprintf(format, args)).toBe(want);
    });
  }
});
