import { strict as assert } from "assert";
import { renderDocuments } from "../cli/render";
import { loadStackFile } from "../stacks/load-config";
import { describeWithUpstreamSchemas } from "./support/describe-with-upstream-schemas";
import { checkEnvoyFilter, envoyApiIn, EnvoyApi, jsonName } from "./support/envoy-api";
import { globalLimiterConfig } from "./support/rate-limit-fixtures";
import { projectStack, UNSEEN_STACK_FILE } from "./support/stacks";

const LOCAL = "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
const bucket = { max_tokens: 10, tokens_per_fill: 5, fill_interval: "1s" };

describe("proto3 JSON names", () => {
  it("derives lowerCamel names as protoc does", () => {
    assert.equal(jsonName("always_consume_default_token_bucket"), "alwaysConsumeDefaultTokenBucket");
    assert.equal(jsonName("v4_prefix_mask_len"), "v4PrefixMaskLen");
  });
});

describeWithUpstreamSchemas("the strict Envoy 1.38 API checker", (schemasDir) => {
  let api: EnvoyApi;
  before(function () {
    this.timeout(60000);
    api = envoyApiIn(schemasDir);
  });

  it("accepts a local rate limit written with proto names or JSON names", () => {
    assert.deepEqual(api.check(LOCAL, { stat_prefix: "x", token_bucket: bucket }), []);
    assert.deepEqual(
      api.check(LOCAL, { statPrefix: "x", tokenBucket: { maxTokens: 1, fillInterval: "0.5s" } }),
      [],
    );
  });

  it("fails on a misspelt field, naming its path and the message's fields", () => {
    const [issue, ...rest] = api.check(LOCAL, {
      stat_prefix: "x",
      token_bucket: { ...bucket, tokens_per_fil: 5 },
    });
    assert.deepEqual(rest, []);
    assert.match(
      issue,
      /^token_bucket\.tokens_per_fil: unknown field "tokens_per_fil" in envoy\.type\.v3\.TokenBucket/,
    );
  });

  it("fails on an enum value that is not a name of the enum, and on an enum given as a number", () => {
    assert.deepEqual(api.check(LOCAL, { stat_prefix: "x", enable_x_ratelimit_headers: "DRAFT_03" }), [
      'enable_x_ratelimit_headers: "DRAFT_03" is not a value of enum envoy.extensions.common.ratelimit.v3.XRateLimitHeadersRFCVersion (OFF, DRAFT_VERSION_03)',
    ]);
    assert.equal(api.check(LOCAL, { stat_prefix: "x", vh_rate_limits: 1 }).length, 1);
  });

  it("fails on a numeric duration", () => {
    assert.deepEqual(api.check("envoy.type.v3.TokenBucket", { max_tokens: 1, fill_interval: 1 }), [
      'fill_interval: a Duration is a string of seconds such as "1s" or "0.020s", not 1',
    ]);
  });

  it("checks an Any by its @type, and fails on an unknown one", () => {
    const filter = (typed: Record<string, unknown>) =>
      api.check("envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter", {
        name: "envoy.filters.http.local_ratelimit",
        typed_config: typed,
      });
    assert.deepEqual(filter({ "@type": `type.googleapis.com/${LOCAL}`, stat_prefix: "x" }), []);
    assert.match(
      filter({ "@type": `type.googleapis.com/${LOCAL}`, stat_prefx: "x" })[0],
      /^typed_config\.stat_prefx: unknown field/,
    );
    assert.match(
      filter({ "@type": "type.googleapis.com/envoy.Nope" })[0],
      /^typed_config\.@type: unknown type/,
    );
  });

  it("refuses two members of one oneof, a deprecated field and a missing required message", () => {
    assert.match(
      api.check("envoy.config.route.v3.HeaderMatcher", {
        name: "x",
        present_match: true,
        string_match: { exact: "a" },
      })[0],
      /oneof header_match_specifier .* present_match and string_match set/,
    );
    assert.match(
      api.check("envoy.config.route.v3.HeaderMatcher", { name: "x", exact_match: "a" })[0],
      /exact_match is deprecated/,
    );
    assert.deepEqual(
      api.check("envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit", { stat_prefix: "x" }),
      ["token_bucket: required by envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit"],
    );
  });

  const renders = {
    "the dev stack": () => renderDocuments(projectStack("dev")),
    "the prod stack": () => renderDocuments(projectStack("prod")),
    "an unseen stack file": () => renderDocuments(loadStackFile(UNSEEN_STACK_FILE)),
    "a stack with the global limiter and its own Redis": () => renderDocuments(globalLimiterConfig()),
  };
  for (const [title, render] of Object.entries(renders)) {
    it(`finds every EnvoyFilter patch of ${title} valid against Envoy's protos`, () => {
      const filters = render().filter((o) => o.kind === "EnvoyFilter");
      assert.ok(filters.length >= 2, "the render has rate-limit EnvoyFilters");
      for (const filter of filters) assert.deepEqual(checkEnvoyFilter(api, filter), [], filter.metadata.name);
    });
  }

  it("finds a misspelt field deep inside a rendered filter's descriptors", () => {
    const filter = renderDocuments(projectStack("prod")).find((o) =>
      o.metadata.name.endsWith("-http-rate-limits"),
    )!;
    const broken = JSON.parse(JSON.stringify(filter));
    broken.spec.configPatches[0].patch.value.typed_config.descriptors[0].entries[0].vlaue = "x";
    assert.match(
      checkEnvoyFilter(api, broken).join("\n"),
      /configPatches\[0\]\.patch\.value\.typed_config\.descriptors\[0\]\.entries\[0\]\.vlaue: unknown field/,
    );
  });
});
