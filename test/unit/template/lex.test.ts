// Lexer table tests in the style of Go's text/template/parse/lex_test.go.

import { describe, expect, test } from "vitest";
import { ItemType, lex } from "../../../src/template/lex.js";

const T = ItemType;

function items(input: string): [ItemType, string][] {
  return lex("test", input).map((i) => [i.typ, i.val]);
}

const cases: [string, string, [ItemType, string][]][] = [
  ["empty", "", [[T.EOF, ""]]],
  ["spaces", " \t\n", [[T.Text, " \t\n"], [T.EOF, ""]]],
  ["text", "now is the time", [[T.Text, "now is the time"], [T.EOF, ""]]],
  ["text with comment", "hello-{{/* this is a comment */}}-world", [[T.Text, "hello-"], [T.Text, "-world"], [T.EOF, ""]]],
  ["punctuation", "{{,@% }}", [[T.LeftDelim, "{{"], [T.Char, ","], [T.Char, "@"], [T.Char, "%"], [T.Space, " "], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["parens", "{{((3))}}", [[T.LeftDelim, "{{"], [T.LeftParen, "("], [T.LeftParen, "("], [T.Number, "3"], [T.RightParen, ")"], [T.RightParen, ")"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["empty action", "{{}}", [[T.LeftDelim, "{{"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["for", "{{for}}", [[T.LeftDelim, "{{"], [T.Identifier, "for"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["block", `{{block "foo" .}}`, [[T.LeftDelim, "{{"], [T.Block, "block"], [T.Space, " "], [T.String, `"foo"`], [T.Space, " "], [T.Dot, "."], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["quote", `{{"abc \\n\\t\\" "}}`, [[T.LeftDelim, "{{"], [T.String, `"abc \\n\\t\\" "`], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["raw quote with newline", "{{`now is{{\n}}the time`}}", [[T.LeftDelim, "{{"], [T.RawString, "`now is{{\n}}the time`"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["numbers", "{{1 02 0x14 0X14 -7.2i 1e3 1E3 +1.2e-4 4.2i 1+2i 1_2 0x1.e_fp4 0X1.E_FP4}}", [
    [T.LeftDelim, "{{"], [T.Number, "1"], [T.Space, " "], [T.Number, "02"], [T.Space, " "], [T.Number, "0x14"], [T.Space, " "],
    [T.Number, "0X14"], [T.Space, " "], [T.Number, "-7.2i"], [T.Space, " "], [T.Number, "1e3"], [T.Space, " "], [T.Number, "1E3"],
    [T.Space, " "], [T.Number, "+1.2e-4"], [T.Space, " "], [T.Number, "4.2i"], [T.Space, " "], [T.Number, "1+2i"], [T.Space, " "],
    [T.Number, "1_2"], [T.Space, " "], [T.Number, "0x1.e_fp4"], [T.Space, " "], [T.Number, "0X1.E_FP4"], [T.RightDelim, "}}"], [T.EOF, ""],
  ]],
  ["characters", `{{'a' '\\n' '\\'' '\\\\' '\\u00FF' '\\xFF' '本'}}`, [
    [T.LeftDelim, "{{"], [T.CharConstant, `'a'`], [T.Space, " "], [T.CharConstant, `'\\n'`], [T.Space, " "], [T.CharConstant, `'\\''`],
    [T.Space, " "], [T.CharConstant, `'\\\\'`], [T.Space, " "], [T.CharConstant, `'\\u00FF'`], [T.Space, " "], [T.CharConstant, `'\\xFF'`],
    [T.Space, " "], [T.CharConstant, `'本'`], [T.RightDelim, "}}"], [T.EOF, ""],
  ]],
  ["bools", "{{true false}}", [[T.LeftDelim, "{{"], [T.Bool, "true"], [T.Space, " "], [T.Bool, "false"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["dot", "{{.}}", [[T.LeftDelim, "{{"], [T.Dot, "."], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["nil", "{{nil}}", [[T.LeftDelim, "{{"], [T.Nil, "nil"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["dots", "{{.x . .2 .x.y.z}}", [
    [T.LeftDelim, "{{"], [T.Field, ".x"], [T.Space, " "], [T.Dot, "."], [T.Space, " "], [T.Number, ".2"], [T.Space, " "],
    [T.Field, ".x"], [T.Field, ".y"], [T.Field, ".z"], [T.RightDelim, "}}"], [T.EOF, ""],
  ]],
  ["keywords", "{{range if else end with}}", [
    [T.LeftDelim, "{{"], [T.Range, "range"], [T.Space, " "], [T.If, "if"], [T.Space, " "], [T.Else, "else"], [T.Space, " "],
    [T.End, "end"], [T.Space, " "], [T.With, "with"], [T.RightDelim, "}}"], [T.EOF, ""],
  ]],
  ["variables", "{{$c := printf $ $hello $23 $ $var.Field .Method}}", [
    [T.LeftDelim, "{{"], [T.Variable, "$c"], [T.Space, " "], [T.Declare, ":="], [T.Space, " "], [T.Identifier, "printf"], [T.Space, " "],
    [T.Variable, "$"], [T.Space, " "], [T.Variable, "$hello"], [T.Space, " "], [T.Variable, "$23"], [T.Space, " "], [T.Variable, "$"],
    [T.Space, " "], [T.Variable, "$var"], [T.Field, ".Field"], [T.Space, " "], [T.Field, ".Method"], [T.RightDelim, "}}"], [T.EOF, ""],
  ]],
  ["variable invocation", "{{$x 23}}", [[T.LeftDelim, "{{"], [T.Variable, "$x"], [T.Space, " "], [T.Number, "23"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["pipeline", `intro {{echo hi 1.2 |noargs|args 1 "hi"}} outro`, [
    [T.Text, "intro "], [T.LeftDelim, "{{"], [T.Identifier, "echo"], [T.Space, " "], [T.Identifier, "hi"], [T.Space, " "],
    [T.Number, "1.2"], [T.Space, " "], [T.Pipe, "|"], [T.Identifier, "noargs"], [T.Pipe, "|"], [T.Identifier, "args"], [T.Space, " "],
    [T.Number, "1"], [T.Space, " "], [T.String, `"hi"`], [T.RightDelim, "}}"], [T.Text, " outro"], [T.EOF, ""],
  ]],
  ["declaration", "{{$v := 3}}", [[T.LeftDelim, "{{"], [T.Variable, "$v"], [T.Space, " "], [T.Declare, ":="], [T.Space, " "], [T.Number, "3"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["2 declarations", "{{$v , $w := 3}}", [
    [T.LeftDelim, "{{"], [T.Variable, "$v"], [T.Space, " "], [T.Char, ","], [T.Space, " "], [T.Variable, "$w"], [T.Space, " "],
    [T.Declare, ":="], [T.Space, " "], [T.Number, "3"], [T.RightDelim, "}}"], [T.EOF, ""],
  ]],
  ["field of parenthesized expression", "{{(.X).Y}}", [[T.LeftDelim, "{{"], [T.LeftParen, "("], [T.Field, ".X"], [T.RightParen, ")"], [T.Field, ".Y"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["trimming spaces before and after", "hello- {{- 3 -}} -world", [[T.Text, "hello-"], [T.LeftDelim, "{{"], [T.Number, "3"], [T.RightDelim, "}}"], [T.Text, "-world"], [T.EOF, ""]]],
  ["trimming spaces before and after comment", "hello- {{- /* hello */ -}} -world", [[T.Text, "hello-"], [T.Text, "-world"], [T.EOF, ""]]],
  ["negative number is not a trim marker", "{{-3}}", [[T.LeftDelim, "{{"], [T.Number, "-3"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["newline in action", "{{\n.x\n}}", [[T.LeftDelim, "{{"], [T.Space, "\n"], [T.Field, ".x"], [T.Space, "\n"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  // errors
  ["badchar", "#{{\x01}}", [[T.Text, "#"], [T.LeftDelim, "{{"], [T.Error, "unrecognized character in action: U+0001"]]],
  ["unclosed action", "{{", [[T.LeftDelim, "{{"], [T.Error, "unclosed action"]]],
  ["EOF in action", "{{range", [[T.LeftDelim, "{{"], [T.Range, "range"], [T.Error, "unclosed action"]]],
  ["unclosed quote", '{{"\n"}}', [[T.LeftDelim, "{{"], [T.Error, "unterminated quoted string"]]],
  ["unclosed raw quote", "{{`xx}}", [[T.LeftDelim, "{{"], [T.Error, "unterminated raw quoted string"]]],
  ["unclosed char constant", "{{'\n}}", [[T.LeftDelim, "{{"], [T.Error, "unterminated character constant"]]],
  ["bad number", "{{3k}}", [[T.LeftDelim, "{{"], [T.Error, `bad number syntax: "3k"`]]],
  ["unclosed paren", "{{(3}}", [[T.LeftDelim, "{{"], [T.LeftParen, "("], [T.Number, "3"], [T.Error, "unclosed left paren"]]],
  ["extra right paren", "{{3)}}", [[T.LeftDelim, "{{"], [T.Number, "3"], [T.Error, "unexpected right paren"]]],
  ["long pipeline deadlock", "{{|||||}}", [[T.LeftDelim, "{{"], [T.Pipe, "|"], [T.Pipe, "|"], [T.Pipe, "|"], [T.Pipe, "|"], [T.Pipe, "|"], [T.RightDelim, "}}"], [T.EOF, ""]]],
  ["text with bad comment", "hello-{{/*/}}-world", [[T.Text, "hello-"], [T.Error, "unclosed comment"]]],
  ["text with comment close separated from delim", "hello-{{/* */ }}-world", [[T.Text, "hello-"], [T.Error, "comment ends before closing delimiter"]]],
  ["unmatched right delimiter", "hello-{.}}-world", [[T.Text, "hello-{.}}-world"], [T.EOF, ""]]],
];

describe("lex", () => {
  for (const [name, input, want] of cases) {
    test(name, () => {
      expect(items(input)).toEqual(want);
    });
  }

  test("line numbers", () => {
    const got = lex("t", "a\nb{{ .x\n .y }}\n{{/*\n*/}}c{{ 1 }}").map((i) => [i.val, i.line]);
    expect(got).toEqual([
      ["a\nb", 1],
      ["{{", 2],
      [" ", 2],
      [".x", 2],
      ["\n ", 2],
      [".y", 3],
      [" ", 3],
      ["}}", 3],
      ["\n", 3],
      // Go does not count a comment's newlines (helm's parse errors show it: test/golden/template errors).
      ["c", 4],
      ["{{", 4],
      [" ", 4],
      ["1", 4],
      [" ", 4],
      ["}}", 4],
      ["", 4],
    ]);
  });

  // The lexer looks at character codes and skips ahead with indexOf; these pin the lines it gives
  // across trim markers, raw strings, tabs, non-ASCII identifiers, number forms and errors (the
  // values are those of the earlier rune-by-rune port).
  test("line numbers across trim markers, raw strings and errors", () => {
    const lines = (input: string): [string, number][] => lex("t", input).map((i) => [i.val, i.line]);
    expect(lines('x\n{{- \n.x.y -}}\n\n{{`a\nb` 12 }}\n{{ $v\t:= 0x1F | f é }}\n{{"unterminated\n}}')).toEqual([
      ["x", 1], ["{{", 2], ["\n", 2], [".x", 3], [".y", 3], ["}}", 3], ["{{", 5], ["`a\nb`", 5], [" ", 6], ["12", 6], [" ", 6],
      ["}}", 6], ["\n", 6], ["{{", 7], [" ", 7], ["$v", 7], ["\t", 7], [":=", 7], [" ", 7], ["0x1F", 7], [" ", 7], ["|", 7],
      [" ", 7], ["f", 7], [" ", 7], ["é", 7], [" ", 7], ["}}", 7], ["\n", 7], ["{{", 8], ["unterminated quoted string", 8],
    ]);
    expect(lines("{{ 7 -}}\n\n{{- 007 }}{{ 1.5e3 .5 }}\n{{ ( 1 ) }}{{ x ) }}")).toEqual([
      ["{{", 1], [" ", 1], ["7", 1], ["}}", 1], ["{{", 3], ["007", 3], [" ", 3], ["}}", 3], ["{{", 3], [" ", 3], ["1.5e3", 3],
      [" ", 3], [".5", 3], [" ", 3], ["}}", 3], ["\n", 3], ["{{", 4], [" ", 4], ["(", 4], [" ", 4], ["1", 4], [" ", 4], [")", 4],
      [" ", 4], ["}}", 4], ["{{", 4], [" ", 4], ["x", 4], [" ", 4], ["unexpected right paren", 4],
    ]);
  });
});
