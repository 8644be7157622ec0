import { diffLines } from "diff";

const withoutWhitespace = (text: string) => text.replace(/\s+/g, "");

/**
 * The edited text with the original's lines back wherever the YAML library only re-formatted them
 * (`[ a, b ]` → `[a, b]`, re-indented lists): a change block whose removed and added lines differ in
 * whitespace alone keeps the original. Real edits stay as the library wrote them.
 */
export function keepFormatting(original: string, edited: string): string {
  const parts = diffLines(original, edited);
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const next = parts[i + 1];
    if (part.removed && next?.added && withoutWhitespace(part.value) === withoutWhitespace(next.value)) {
      out += part.value;
      i++;
    } else if (!part.removed) {
      out += part.value;
    }
  }
  return out;
}
