import { stringify as csvStringify } from "csv-stringify/sync";

/** A table as every format prints it: column headers and string cells. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One titled part of a report: a table, lines of prose, or both. */
export interface ReportSection {
  readonly title: string;
  readonly table?: Table;
  readonly lines?: readonly string[];
}

/** What `report` and `audit` hand the formatters: sections for people, one table for spreadsheets, the model for machines. */
export interface ReportDocument {
  readonly title: string;
  readonly sections: readonly ReportSection[];
  /** The CSV output: one flat table. */
  readonly csv: Table;
  /** The JSON output: the command's own model. */
  readonly model: unknown;
}

export const REPORT_FORMATS = ["text", "markdown", "csv", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Columns padded to their widest cell, for a terminal. */
function textTable(table: Table): string[] {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(table.columns), line(widths.map((w) => "-".repeat(w))), ...table.rows.map(line)];
}

/** A cell safe inside a GitHub-flavoured Markdown table: pipes escaped, no line breaks. */
function markdownCell(cell: string): string {
  return cell.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function markdownTable(table: Table): string[] {
  const row = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(" | ")} |`;
  return [row(table.columns), row(table.columns.map(() => "---")), ...table.rows.map(row)];
}

export function formatText(doc: ReportDocument): string {
  const out = [doc.title, "=".repeat(doc.title.length)];
  for (const section of doc.sections) {
    out.push("", section.title, "-".repeat(section.title.length));
    if (section.table) out.push(...(section.table.rows.length > 0 ? textTable(section.table) : ["(none)"]));
    if (section.lines) out.push(...section.lines.map((l) => `- ${l}`));
  }
  return `${out.join("\n")}\n`;
}

export function formatMarkdown(doc: ReportDocument): string {
  const out = [`# ${doc.title}`];
  for (const section of doc.sections) {
    out.push("", `## ${section.title}`, "");
    if (section.table)
      out.push(...(section.table.rows.length > 0 ? markdownTable(section.table) : ["_(none)_"]));
    if (section.table && section.lines) out.push("");
    if (section.lines) out.push(...section.lines.map((l) => `- ${l}`));
  }
  return `${out.join("\n")}\n`;
}

/** RFC 4180 CSV (CRLF line ends, quoted where needed), header first. */
export function formatCsv(doc: ReportDocument): string {
  return csvStringify([[...doc.csv.columns], ...doc.csv.rows.map((r) => [...r])], {
    record_delimiter: "windows",
    // A bare line feed inside a cell must be quoted too, not only CRLF.
    quoted_match: /[\r\n]/,
  });
}

export function formatJson(doc: ReportDocument): string {
  return `${JSON.stringify(doc.model, null, 2)}\n`;
}

export function formatDocument(doc: ReportDocument, format: ReportFormat): string {
  switch (format) {
    case "text":
      return formatText(doc);
    case "markdown":
      return formatMarkdown(doc);
    case "csv":
      return formatCsv(doc);
    case "json":
      return formatJson(doc);
  }
}
