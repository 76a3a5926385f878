/** What a `graft` subcommand is: the dispatcher in main.ts lists and runs these. */
export interface Command {
  readonly name: string;
  /** The arguments, for the command list: `<script.ts> [args...]`. */
  readonly args: string;
  /** One line for `graft --help`. */
  readonly summary: string;
  /** The full text for `graft <command> --help`. */
  readonly usage: string;
  /** Run with the arguments after the command name; a number is the exit code. */
  run(args: readonly string[]): Promise<number | void>;
}

/** Wrong use of the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
