import * as fs from "fs";
import * as path from "path";

/** A relative link of a markdown file that does not resolve: a missing file, or a missing heading anchor. */
export interface BrokenLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((line, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text: line });
  });
  return out;
}

/** GitHub's heading anchor (github-slugger): lowercase, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[`*]/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a markdown file offers: its headings' slugs (repeats numbered, as GitHub does). */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Relative links (`[text](target)`) and their lines, inline code spans left out. */
function linksOf(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  for (const { line, text: prose } of proseLines(text)) {
    const withoutCode = prose.replace(/`[^`]*`/g, "");
    for (const match of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      out.push({ line, target });
    }
  }
  return out;
}

/** The broken relative links and anchors of the given markdown files (paths relative to `root`). */
export function brokenLinks(root: string, files: readonly string[]): BrokenLink[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (absolute: string) => {
    let anchors = anchorCache.get(absolute);
    if (!anchors) {
      anchors = anchorsOf(fs.readFileSync(absolute, "utf8"));
      anchorCache.set(absolute, anchors);
    }
    return anchors;
  };
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const absolute = path.join(root, file);
    for (const { line, target } of linksOf(fs.readFileSync(absolute, "utf8"))) {
      const [rawPath, anchor] = target.split("#", 2);
      const resolved =
        rawPath === "" ? absolute : path.resolve(path.dirname(absolute), decodeURIComponent(rawPath));
      if (!fs.existsSync(resolved)) {
        broken.push({ file, line, target, problem: `${path.relative(root, resolved)} does not exist` });
        continue;
      }
      if (
        anchor !== undefined &&
        anchor !== "" &&
        /\.md$/i.test(resolved) &&
        !anchorsIn(resolved).has(anchor)
      ) {
        broken.push({
          file,
          line,
          target,
          problem: `no heading with anchor #${anchor} in ${path.relative(root, resolved)}`,
        });
      }
    }
  }
  return broken;
}

/** README.md, CONTRIBUTING.md, CHANGELOG.md, policy/README.md and every markdown file under docs/. */
export function documentationFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true })
      .flatMap((entry) =>
        entry.isDirectory()
          ? walk(path.join(dir, entry.name))
          : entry.name.endsWith(".md")
            ? [path.join(dir, entry.name)]
            : [],
      );
  const top = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", path.join("policy", "README.md")].filter(
    (file) => fs.existsSync(path.join(root, file)),
  );
  return [...top, ...(fs.existsSync(path.join(root, "docs")) ? walk("docs") : [])].sort();
}
