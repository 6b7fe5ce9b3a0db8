// Lexer for Go text/template (a port of text/template/parse/lex.go semantics).

export enum ItemType {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // Keywords (after this marker).
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

export interface Item {
  typ: ItemType;
  pos: number; // offset (UTF-16 index) in the input
  val: string;
  line: number;
}

const keywords: Record<string, ItemType> = {
  ".": ItemType.Dot,
  block: ItemType.Block,
  break: ItemType.Break,
  continue: ItemType.Continue,
  define: ItemType.Define,
  else: ItemType.Else,
  end: ItemType.End,
  if: ItemType.If,
  range: ItemType.Range,
  nil: ItemType.Nil,
  template: ItemType.Template,
  with: ItemType.With,
};

const LEFT_DELIM = "{{";
const RIGHT_DELIM = "}}";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
const TRIM_MARKER_LEN = 2;

/** isSpace for a UTF-16 code (NaN, past the end of the input, is not a space). */
function isSpaceCode(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** ASCII letters, digits and '_': the identifier characters below 0x80. */
function isAsciiAlnumCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

const alnumRe = /^[\p{L}\p{Nd}_]$/u;

function isAlphaNumeric(c: string): boolean {
  if (c.length === 1) {
    const code = c.charCodeAt(0);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95) {
      return true;
    }
    if (code < 0x80) return false;
  }
  return c !== "" && alnumRe.test(c);
}

function hasLeftTrimMarker(s: string, pos: number): boolean {
  return s.charCodeAt(pos) === 0x2d && isSpaceCode(s.charCodeAt(pos + 1));
}

function rightTrimLength(s: string, start: number, end: number): number {
  let i = end;
  while (i > start && isSpaceCode(s.charCodeAt(i - 1))) i--;
  return end - i;
}

function leftTrimLength(s: string, pos: number): number {
  let i = pos;
  while (isSpaceCode(s.charCodeAt(i))) i++;
  return i - pos;
}

/** Formats a rune as Go's %#U does: U+0021 '!'. */
export function formatRuneU(c: string): string {
  if (c === "") return "U+FFFFFFFF";
  const cp = c.codePointAt(0) ?? 0;
  const hex = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  // Printable runes also show the character.
  if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c) || c === " ") return `${hex} '${c}'`;
  return hex;
}

export interface LexOptions {
  breakOK: boolean;
  continueOK: boolean;
}

/** Tokenizes the whole input. The item list ends with EOF or an Error item. */
export class Lexer {
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  readonly items: Item[] = [];

  constructor(
    readonly name: string,
    readonly input: string,
  ) {}

  private emit(t: ItemType): void {
    this.items.push({ typ: t, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
  }

  private ignore(): void {
    this.countLines(this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  // countLines jumps from newline to newline with indexOf (text between actions is most of the
  // input). nextNewline is the first newline at or after newlineFrom (-1: none, -2: not searched
  // yet), kept between calls so that no stretch of the input is searched twice as lexing moves on.
  private newlineFrom = 0;
  private nextNewline = -2;

  private countLines(from: number, to: number): void {
    const s = this.input;
    let nl = this.nextNewline;
    if (nl === -2 || from < this.newlineFrom || (nl >= 0 && nl < from)) {
      nl = s.indexOf("\n", from);
      this.newlineFrom = from;
    }
    while (nl >= 0 && nl < to) {
      this.line++;
      this.newlineFrom = nl + 1;
      nl = s.indexOf("\n", nl + 1);
    }
    this.nextNewline = nl;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.lastWidth = 0;
      return "";
    }
    const cp = this.input.codePointAt(this.pos) ?? 0;
    const c = cp > 0xffff ? String.fromCodePoint(cp) : (this.input[this.pos] ?? "");
    this.lastWidth = c.length;
    this.pos += c.length;
    if (c === "\n") this.line++;
    return c;
  }

  private lastWidth = 0;

  private backup(): void {
    if (this.lastWidth > 0) {
      this.pos -= this.lastWidth;
      if (this.input[this.pos] === "\n") this.line--;
      this.lastWidth = 0;
    }
  }

  private peek(): string {
    const c = this.next();
    this.backup();
    return c;
  }

  private accept(valid: string): boolean {
    const c = this.next();
    if (c !== "" && valid.includes(c)) return true;
    this.backup();
    return false;
  }

  private acceptRun(valid: string): void {
    for (;;) {
      const c = this.next();
      if (c === "" || !valid.includes(c)) break;
    }
    this.backup();
  }

  private errorf(msg: string): void {
    this.items.push({ typ: ItemType.Error, pos: this.start, val: msg, line: this.startLine });
  }

  run(): Item[] {
    for (;;) {
      // lexText
      const x = this.input.indexOf(LEFT_DELIM, this.pos);
      if (x >= 0) {
        if (x > this.pos) {
          this.pos = x;
          let trimLength = 0;
          const delimEnd = this.pos + LEFT_DELIM.length;
          if (hasLeftTrimMarker(this.input, delimEnd)) {
            trimLength = rightTrimLength(this.input, this.start, this.pos);
          }
          this.pos -= trimLength;
          this.countLines(this.start, this.pos);
          const text = this.input.slice(this.start, this.pos);
          const item: Item = { typ: ItemType.Text, pos: this.start, val: text, line: this.startLine };
          this.start = this.pos;
          this.startLine = this.line;
          this.pos += trimLength;
          this.ignore();
          if (text.length > 0) this.items.push(item);
        }
        if (!this.lexLeftDelim()) return this.items;
        continue;
      }
      this.pos = this.input.length;
      if (this.pos > this.start) {
        this.countLines(this.start, this.pos);
        this.items.push({
          typ: ItemType.Text,
          pos: this.start,
          val: this.input.slice(this.start),
          line: this.startLine,
        });
        this.start = this.pos;
      }
      this.items.push({ typ: ItemType.EOF, pos: this.pos, val: "", line: this.line });
      return this.items;
    }
  }

  /** Returns false when lexing stopped with an error. */
  private lexLeftDelim(): boolean {
    const s = this.input;
    this.pos += LEFT_DELIM.length;
    const afterMarker = hasLeftTrimMarker(s, this.pos) ? TRIM_MARKER_LEN : 0;
    const p = this.pos + afterMarker;
    if (s.charCodeAt(p) === 0x2f && s.charCodeAt(p + 1) === 0x2a) {
      // "/*": a comment.
      this.pos = p;
      this.ignore();
      return this.lexComment();
    }
    this.items.push({ typ: ItemType.LeftDelim, pos: this.start, val: LEFT_DELIM, line: this.startLine });
    // The delimiter and trim marker hold no newline; the marker's space may be one.
    if (afterMarker !== 0 && s.charCodeAt(p - 1) === 10) this.line++;
    this.pos = p;
    this.start = p;
    this.startLine = this.line;
    this.parenDepth = 0;
    return this.lexInsideAction();
  }

  /** At a right delimiter: 0 no, 1 "}}", 2 " -}}" (trim marker). */
  private atRightDelim(): number {
    const s = this.input;
    const p = this.pos;
    const c = s.charCodeAt(p);
    if (c === 0x7d) return s.charCodeAt(p + 1) === 0x7d ? 1 : 0;
    if (isSpaceCode(c) && s.charCodeAt(p + 1) === 0x2d) {
      return s.charCodeAt(p + 2) === 0x7d && s.charCodeAt(p + 3) === 0x7d ? 2 : 0;
    }
    return 0;
  }

  private lexComment(): boolean {
    this.pos += LEFT_COMMENT.length;
    const x = this.input.indexOf(RIGHT_COMMENT, this.pos);
    if (x < 0) {
      this.errorf("unclosed comment");
      return false;
    }
    this.pos = x + RIGHT_COMMENT.length;
    const at = this.atRightDelim();
    const trimSpaces = at === 2;
    if (at === 0) {
      this.errorf("comment ends before closing delimiter");
      return false;
    }
    // Go's lexer makes the comment an item, which moves its start past the comment without counting the comment's
    // newlines: the lines after a multi-line comment are numbered lower by them in Go's (and helm's) parse errors.
    this.start = this.pos;
    this.startLine = this.line;
    if (trimSpaces) this.pos += TRIM_MARKER_LEN;
    this.pos += RIGHT_DELIM.length;
    if (trimSpaces) this.pos += leftTrimLength(this.input, this.pos);
    this.ignore();
    return true;
  }

  private lexRightDelim(): void {
    const trimSpaces = this.atRightDelim() === 2;
    if (trimSpaces) {
      this.pos += TRIM_MARKER_LEN;
      this.ignore();
    }
    this.pos += RIGHT_DELIM.length;
    this.emit(ItemType.RightDelim);
    if (trimSpaces) {
      this.pos += leftTrimLength(this.input, this.pos);
      this.ignore();
    }
  }

  /**
   * Lexes one action up to and including its right delimiter. Go's lexInsideAction reads one rune
   * and dispatches on it; here the dispatch looks at the UTF-16 code at `pos` without consuming it,
   * and only characters outside ASCII take the rune-wise path (next/backup).
   */
  private lexInsideAction(): boolean {
    const s = this.input;
    for (;;) {
      const c = s.charCodeAt(this.pos); // NaN past the end
      if ((c === 0x7d || isSpaceCode(c)) && this.atRightDelim() !== 0) {
        if (this.parenDepth === 0) {
          this.lexRightDelim();
          return true;
        }
        this.errorf("unclosed left paren");
        return false;
      }
      if (isAsciiAlnumCode(c)) {
        if (c >= 48 && c <= 57) {
          if (!this.lexNumber()) return false;
        } else if (!this.lexIdentifier()) return false;
        continue;
      }
      switch (c) {
        case 0x20: // ' '
        case 0x09: // '\t'
        case 0x0d: // '\r'
        case 0x0a: {
          // '\n' (and the three above). Most often a single ' ' between words: emitted here
          // without lexSpace's loop.
          const d = s.charCodeAt(this.pos + 1);
          if (c === 0x20 && !isSpaceCode(d) && d !== 0x2d) {
            this.pos++;
            this.emit(ItemType.Space);
            continue;
          }
          if (this.lexSpace()) {
            this.lexRightDelim();
            return true;
          }
          continue;
        }
        case 0x3d: // '='
          this.pos++;
          this.emit(ItemType.Assign);
          continue;
        case 0x3a: // ':'
          if (s.charCodeAt(this.pos + 1) !== 0x3d) {
            this.errorf("expected :=");
            return false;
          }
          this.pos += 2;
          this.emit(ItemType.Declare);
          continue;
        case 0x7c: // '|'
          this.pos++;
          this.emit(ItemType.Pipe);
          continue;
        case 0x22: // '"'
          this.pos++;
          if (!this.lexQuote()) return false;
          continue;
        case 0x60: // '`'
          this.pos++;
          if (!this.lexRawQuote()) return false;
          continue;
        case 0x24: // '$'
          this.pos++;
          if (!this.lexFieldOrVariable(ItemType.Variable)) return false;
          continue;
        case 0x27: // '\''
          this.pos++;
          if (!this.lexChar()) return false;
          continue;
        case 0x2e: {
          // '.': a field, or a number such as .5
          const d = s.charCodeAt(this.pos + 1);
          if (d >= 48 && d <= 57) {
            if (!this.lexNumber()) return false;
          } else if (d !== d) {
            // "." at the very end of the input
            if (!this.lexNumber()) return false;
          } else {
            this.pos++;
            if (!this.lexFieldOrVariable(ItemType.Field)) return false;
          }
          continue;
        }
        case 0x2b: // '+'
        case 0x2d: // '-'
          if (!this.lexNumber()) return false;
          continue;
        case 0x28: // '('
          this.pos++;
          this.emit(ItemType.LeftParen);
          this.parenDepth++;
          continue;
        case 0x29: // ')'
          this.pos++;
          this.parenDepth--;
          if (this.parenDepth < 0) {
            this.errorf("unexpected right paren");
            return false;
          }
          this.emit(ItemType.RightParen);
          continue;
        default:
          break;
      }
      if (c !== c) {
        this.errorf("unclosed action");
        return false;
      }
      if (c >= 0x20 && c < 0x7f) {
        // Other printable ASCII (alphanumerics and the cases above are handled already).
        this.pos++;
        this.emit(ItemType.Char);
        continue;
      }
      // Outside printable ASCII: a letter or digit starts an identifier, anything else is an error.
      const r = this.next();
      if (isAlphaNumeric(r)) {
        this.backup();
        if (!this.lexIdentifier()) return false;
        continue;
      }
      this.errorf(`unrecognized character in action: ${formatRuneU(r)}`);
      return false;
    }
  }

  /** Returns true when it stopped right at a trim-marked right delimiter. */
  private lexSpace(): boolean {
    const s = this.input;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x0a) this.line++;
      else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      p++;
    }
    const numSpaces = p - this.pos;
    this.pos = p;
    // " -}}": the last space belongs to the trim marker of the right delimiter.
    if (s.charCodeAt(p) === 0x2d && s.charCodeAt(p + 1) === 0x7d && s.charCodeAt(p + 2) === 0x7d) {
      this.pos--;
      if (s.charCodeAt(this.pos) === 0x0a) this.line--;
      if (numSpaces === 1) return true;
    }
    this.emit(ItemType.Space);
    return false;
  }

  /** Moves over the letters, digits and '_' of an identifier (none of them is a newline). */
  private skipAlnum(): void {
    const s = this.input;
    for (;;) {
      let p = this.pos;
      while (isAsciiAlnumCode(s.charCodeAt(p))) p++;
      this.pos = p;
      // Only a character outside ASCII can still be a (Unicode) letter or digit.
      if (!(s.charCodeAt(p) >= 0x80)) return;
      if (!isAlphaNumeric(this.next())) {
        this.backup();
        return;
      }
    }
  }

  private atTerminator(): boolean {
    const s = this.input;
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x20: // ' '
      case 0x09: // '\t'
      case 0x0d: // '\r'
      case 0x0a: // '\n'
      case 0x2e: // '.'
      case 0x2c: // ','
      case 0x7c: // '|'
      case 0x3a: // ':'
      case 0x29: // ')'
      case 0x28: // '('
        return true;
      case 0x7d: // '}'
        return s.charCodeAt(this.pos + 1) === 0x7d;
      default:
        return c !== c; // the end of the input
    }
  }

  private lexIdentifier(): boolean {
    this.skipAlnum();
    if (!this.atTerminator()) {
      this.errorf(`bad character ${formatRuneU(this.peek())}`);
      return false;
    }
    const word = this.input.slice(this.start, this.pos);
    const kw = keywords[word];
    if (kw !== undefined && kw > ItemType.Keyword) {
      this.emit(kw);
    } else if (word === "true" || word === "false") {
      this.emit(ItemType.Bool);
    } else {
      this.emit(ItemType.Identifier);
    }
    return true;
  }

  private lexFieldOrVariable(typ: ItemType): boolean {
    if (this.atTerminator()) {
      this.emit(typ === ItemType.Variable ? ItemType.Variable : ItemType.Dot);
      return true;
    }
    this.skipAlnum();
    if (!this.atTerminator()) {
      this.errorf(`bad character ${formatRuneU(this.peek())}`);
      return false;
    }
    this.emit(typ);
    return true;
  }

  private lexChar(): boolean {
    for (;;) {
      let r = this.next();
      if (r === "\\") {
        r = this.next();
        if (r !== "" && r !== "\n") continue;
        this.errorf("unterminated character constant");
        return false;
      }
      if (r === "" || r === "\n") {
        this.errorf("unterminated character constant");
        return false;
      }
      if (r === "'") break;
    }
    this.emit(ItemType.CharConstant);
    return true;
  }

  private lexNumber(): boolean {
    // Fast path: plain decimal digits ended by a character that cannot continue a number (not a
    // letter, digit, '_', '.', or the sign of a complex constant). scanNumber takes the same steps.
    const s = this.input;
    let p = this.pos;
    while (s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
    const c = s.charCodeAt(p);
    if (p > this.pos && (c !== c || (c < 0x80 && !isAsciiAlnumCode(c) && c !== 0x2e && c !== 0x2b && c !== 0x2d))) {
      this.pos = p;
      this.emit(ItemType.Number);
      return true;
    }
    if (!this.scanNumber()) {
      this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
      return false;
    }
    const sign = this.peek();
    if (sign === "+" || sign === "-") {
      if (!this.scanNumber() || this.input[this.pos - 1] !== "i") {
        this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
        return false;
      }
      this.emit(ItemType.Number); // complex constant
      return true;
    }
    this.emit(ItemType.Number);
    return true;
  }

  private scanNumber(): boolean {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 11 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 23 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  /** After the opening quote. A string ends at an unescaped '"' and may not hold a newline. */
  private lexQuote(): boolean {
    const s = this.input;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x22) break;
      if (c === 0x5c) {
        // A backslash escapes the next character (the second half of a surrogate pair is
        // then looked at on its own, which is harmless: it is neither a quote nor a newline).
        const d = s.charCodeAt(p + 1);
        if (d !== d || d === 0x0a) {
          this.errorf("unterminated quoted string");
          return false;
        }
        p += 2;
        continue;
      }
      if (c !== c || c === 0x0a) {
        this.errorf("unterminated quoted string");
        return false;
      }
      p++;
    }
    this.pos = p + 1;
    this.emit(ItemType.String);
    return true;
  }

  /** After the opening back quote. A raw string may span lines. */
  private lexRawQuote(): boolean {
    const x = this.input.indexOf("`", this.pos);
    if (x < 0) {
      this.errorf("unterminated raw quoted string");
      return false;
    }
    this.countLines(this.pos, x);
    this.pos = x + 1;
    this.emit(ItemType.RawString);
    return true;
  }
}

function goQuote(s: string): string {
  // Minimal strconv.Quote for lexer messages.
  return JSON.stringify(s);
}

export function lex(name: string, input: string): Item[] {
  return new Lexer(name, input).run();
}
