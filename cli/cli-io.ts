/** Where a command reads and writes: the process's own streams from the bin, captured ones in tests. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Whether stdin is a pipe or a file (the bin checks fd 0): lint then asks for `-` instead of reading a cluster. */
  readonly stdinPiped?: boolean;
}

/** One run of the command line: the streams a command uses and the exit code it leaves. */
export interface CliInvocation {
  readonly io: CliIo;
  exitCode: number;
}
