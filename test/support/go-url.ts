/**
 * Go's `net/url.ParseRequestURI`, ported for the Kubernetes CEL URL library (`isURL`, `url`), whose
 * verdicts Istio's CEL rules depend on: same accept/reject decisions, only the fields those rules read.
 */

export interface GoUrl {
  readonly scheme: string;
  readonly host: string;
  readonly opaque: string;
  readonly path: string;
  readonly rawQuery: string;
}

export class GoUrlError extends Error {}

/** Parses like `url.ParseRequestURI`: an absolute URL or an absolute path, else throws GoUrlError. */
export function parseRequestUri(rawUrl: string): GoUrl {
  if ([...rawUrl].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new GoUrlError("net/url: invalid control character in URL");
  if (rawUrl === "") throw new GoUrlError("empty url");
  if (rawUrl === "*") return { scheme: "", host: "", opaque: "", path: "*", rawQuery: "" };

  const { scheme, rest: afterScheme } = splitScheme(rawUrl);
  let rest = afterScheme;
  let rawQuery = "";
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else if (rest.includes("?")) {
    rawQuery = rest.slice(rest.indexOf("?") + 1);
    rest = rest.slice(0, rest.indexOf("?"));
  }

  if (!rest.startsWith("/")) {
    // Rootless paths after a scheme are opaque (mailto:x); without a scheme a request URI must be rooted.
    if (scheme !== "") return { scheme, host: "", opaque: rest, path: "", rawQuery };
    throw new GoUrlError("invalid URI for request");
  }

  let host = "";
  if (scheme !== "" && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    host = parseAuthority(authority);
  }
  return { scheme, host, opaque: "", path: unescape(rest, "path"), rawQuery };
}

/** True when `parseRequestUri` accepts the string (the CEL `isURL` function). */
export function isRequestUri(rawUrl: string): boolean {
  try {
    parseRequestUri(rawUrl);
    return true;
  } catch (error) {
    if (error instanceof GoUrlError) return false;
    throw error;
  }
}

function splitScheme(rawUrl: string): { scheme: string; rest: string } {
  for (let i = 0; i < rawUrl.length; i++) {
    const c = rawUrl[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return { scheme: "", rest: rawUrl };
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new GoUrlError("missing protocol scheme");
      return { scheme: rawUrl.slice(0, i).toLowerCase(), rest: rawUrl.slice(i + 1) };
    }
    return { scheme: "", rest: rawUrl };
  }
  return { scheme: "", rest: rawUrl };
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo))
      throw new GoUrlError("net/url: invalid userinfo");
    unescape(userinfo, "userinfo");
  }
  return host;
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new GoUrlError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!isValidOptionalPort(colonPort)) throw new GoUrlError(`invalid port "${colonPort}" after host`);
    // Go checks the literal with netip; hex digits, colons, dots and a %zone cover every valid one.
    if (!/^\[[0-9A-Fa-f:.]+(%25.+)?\]$/.test(host.slice(0, close + 1))) {
      throw new GoUrlError("invalid IP-literal");
    }
    return host;
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && !isValidOptionalPort(host.slice(colon))) {
    throw new GoUrlError(`invalid port "${host.slice(colon)}" after host`);
  }
  return unescape(host, "host");
}

function isValidOptionalPort(port: string): boolean {
  return port === "" || /^:[0-9]*$/.test(port);
}

// Characters Go's shouldEscape lets through unescaped in a host: alphanumerics, -._~ and sub-delims.
const HOST_CHARACTER = /[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"]/;

function unescape(text: string, mode: "host" | "path" | "userinfo"): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "%") {
      if (!/^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
        throw new GoUrlError(`invalid URL escape "${text.slice(i, i + 3)}"`);
      }
      // In a host, escapes may only encode non-ASCII bytes (RFC 3986 §3.2.2), or be a zone's %25.
      if (mode === "host" && parseInt(text[i + 1], 16) < 8 && text.slice(i, i + 3) !== "%25") {
        throw new GoUrlError(`invalid URL escape "${text.slice(i, i + 3)}"`);
      }
      i += 2;
    } else if (mode === "host" && c.charCodeAt(0) < 0x80 && !HOST_CHARACTER.test(c)) {
      throw new GoUrlError(`invalid character "${c}" in host name`);
    }
  }
  return mode === "host" ? text : decodeURIComponentLoosely(text);
}

function decodeURIComponentLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
