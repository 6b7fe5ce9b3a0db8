// Structured template errors, worded as Go's text/template words them.

export { TemplateParseError } from "./parse.js";

/** An execution error: `template: LOCATION: executing "NAME" at <CONTEXT>: DETAIL`. */
export class TemplateExecError extends Error {
  constructor(
    message: string,
    /** Name of the template being executed. */
    readonly templateName: string,
    /** `file:line:col` of the node being evaluated (col is a 0-based byte offset), or null. */
    readonly location: string | null,
    /** Text of the node being evaluated (truncated to 20 bytes + "..."), or null. */
    readonly context: string | null,
    /** The bare error, e.g. `nil pointer evaluating interface {}.b`. */
    readonly detail: string,
  ) {
    super(message);
    this.name = "TemplateExecError";
  }
}

/** Error returned by a template function; the executor reports it as `error calling NAME: MESSAGE`. */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuncError";
  }
}
