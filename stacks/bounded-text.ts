import * as fs from "node:fs";

/** Why an input cannot be read as text: too large, endless, UTF-16, binary. The message never echoes the bytes. */
export class TextInputError extends Error {}

/** A stack file is a few hundred kilobytes at most; this is far above any real one. */
export const MAX_STACK_FILE_BYTES = 8 * 1024 * 1024;

const CHUNK = 1024 * 1024;

/**
 * Reads a file (or a device, FIFO, `/dev/zero`) up to `maxBytes`, stopping there with an error instead of
 * reading an endless input until memory runs out.
 */
export function readBoundedFile(file: string, maxBytes: number): string {
  const fd = fs.openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      chunks.push(buffer.subarray(0, read));
      // Binary or UTF-16 shows in the first chunk: refuse it there, not after reading maxBytes of it.
      if (total === 0) sniffText(buffer.subarray(0, read));
      total += read;
      if (total > maxBytes) throw tooLarge(maxBytes);
    }
    return decodeText(Buffer.concat(chunks, total));
  } finally {
    fs.closeSync(fd);
  }
}

export function tooLarge(maxBytes: number): TextInputError {
  return new TextInputError(
    `larger than ${formatBytes(maxBytes)}: refused (is it an endless input such as /dev/zero?)`,
  );
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}

/** Throws when the first bytes already show UTF-16 or binary content. */
function sniffText(bytes: Buffer): void {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new TextInputError("is UTF-16 (byte order mark): UTF-16 is not supported, save it as UTF-8");
  }
  const sample = bytes.subarray(0, 4096);
  const nulls = sample.filter((b) => b === 0).length;
  if (nulls === 0) return;
  if (sample.length >= 2 && nulls * 4 >= sample.length && nulls * 4 <= sample.length * 3) {
    throw new TextInputError(
      "looks like UTF-16 (every other byte is zero): UTF-16 is not supported, save it as UTF-8",
    );
  }
  throw new TextInputError("is binary, not text (it holds NUL bytes)");
}

/** UTF-8 text, or a TextInputError that says what the bytes are instead (never the bytes themselves). */
export function decodeText(bytes: Buffer): string {
  sniffText(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new TextInputError("is not UTF-8 text (binary or another encoding): save it as UTF-8");
  }
}
