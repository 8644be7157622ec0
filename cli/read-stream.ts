import { decodeText, tooLarge, TextInputError } from "../stacks/bounded-text";

/**
 * Reads a stream (the CLI's stdin) to its end as UTF-8 text, refusing it past `maxBytes` (an endless
 * stdin such as /dev/zero is stopped, not buffered until memory runs out) or when it is not UTF-8 text.
 * Rejects with a TextInputError whose message never echoes the bytes.
 */
export function readStream(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      total += buffer.length;
      if (total > maxBytes) {
        stream.removeListener("data", onData);
        stream.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(buffer);
    };
    stream.on("data", onData);
    stream.on("end", () => {
      try {
        resolve(decodeText(Buffer.concat(chunks)));
      } catch (e) {
        reject(e instanceof TextInputError ? e : new TextInputError(String(e)));
      }
    });
    stream.on("error", reject);
  });
}
