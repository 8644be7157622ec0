/** Where each alert's runbook lives, relative to the repository root. */
export const RUNBOOKS_DOCUMENT = "docs/runbooks.md";

/** An alert's runbook link: its section of docs/runbooks.md. */
export const runbook = (anchor: string): string => `${RUNBOOKS_DOCUMENT}#${anchor}`;
