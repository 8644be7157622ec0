import { strict as assert } from "assert";
import { isRequestUri, parseRequestUri } from "../support/go-url";

// Expected verdicts are Go's url.ParseRequestURI (net/url/url.go), which Kubernetes' CEL isURL/url() call.
describe("the port of Go's url.ParseRequestURI behind CEL isURL and url()", () => {
  const accepted: [input: string, scheme: string, host: string][] = [
    ["https://issuer.example.com/.well-known/jwks.json", "https", "issuer.example.com"],
    ["oci://ghcr.io/example/filter:1.0", "oci", "ghcr.io"],
    ["HTTP://Example.com:8080/", "http", "Example.com:8080"],
    ["http://[::1]:15000/stats", "http", "[::1]:15000"],
    ["http://user:pa%20ss@example.com/", "http", "example.com"],
    ["/var/run/filter.wasm", "", ""],
    ["file:///opt/filter.wasm", "file", ""],
    ["mailto:ops@example.com", "mailto", ""],
    ["*", "", ""],
  ];
  for (const [input, scheme, host] of accepted) {
    it(`accepts ${JSON.stringify(input)} with scheme "${scheme}" and host "${host}"`, () => {
      const url = parseRequestUri(input);
      assert.deepEqual([url.scheme, url.host], [scheme, host]);
    });
  }

  const rejected: [input: string, reason: RegExp][] = [
    ["", /empty url/],
    ["ghcr.io/example/filter:1.0", /invalid URI for request/],
    ["1http://example.com", /invalid URI for request/],
    [":8080/path", /missing protocol scheme/],
    ["http://example.com:port/", /invalid port ":port" after host/],
    ["http://exa mple.com/", /invalid character " " in host name/],
    ["http://%41.example.com/", /invalid URL escape "%41"/],
    ["http://example.com/%zz", /invalid URL escape "%zz"/],
    ["http://[::1/", /missing '\]' in host/],
    ["http://example.com/\n", /invalid control character/],
  ];
  for (const [input, reason] of rejected) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseRequestUri(input), reason);
      assert.equal(isRequestUri(input), false);
    });
  }
});
