// Public API of the standalone Go text/template engine.

export { TemplateSet, type TemplateSetOptions } from "./template.js";
export { TemplateExecError, TemplateParseError, FuncError } from "./errors.js";
export { parse, Tree, type Node } from "./parse.js";
export { lex, ItemType, type Item } from "./lex.js";
export { formatValue, sprint, sprintf, sprintln } from "./fmt.js";
export { formatFloat, quote as goQuote } from "./strconv.js";
export { durationString, parseDuration, ParseErr as GoTimeParseError } from "./sprig/time.js";
export * from "./value.js";
