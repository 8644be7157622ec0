import * as assert from "node:assert/strict";
import {
  formatAddress,
  internalRangesReached,
  ipBlockRanges,
  isAddressLiteral,
  nonPublicRangesReached,
  normaliseCidr,
  parseAddress,
  parseCidr,
  reachesPublicAddresses,
} from "../mesh/address-ranges";

const INTERNAL_V4 = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
];
const INTERNAL_V6 = ["fc00::/7", "fe80::/10", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48"];

describe("address ranges", () => {
  it("parses IPv4 and IPv6 CIDRs and masks host bits", () => {
    assert.deepEqual(parseCidr("10.1.2.3/8"), { family: 4, start: 0x0a000000n, end: 0x0affffffn });
    assert.equal(parseCidr("::/0")?.end, (1n << 128n) - 1n);
    assert.equal(parseCidr("not-a-cidr"), undefined);
    assert.equal(parseCidr("10/8"), undefined);
  });

  it("finds public addresses in 0.0.0.0/0 even without the private ranges", () => {
    assert.equal(reachesPublicAddresses(ipBlockRanges("0.0.0.0/0", INTERNAL_V4) ?? []), true);
  });

  it("finds no public addresses inside private or link-local space", () => {
    for (const cidr of ["10.0.0.0/8", "192.168.10.0/24", "169.254.169.254/32", "fd00::/8", "100.64.0.0/10"]) {
      assert.equal(reachesPublicAddresses(ipBlockRanges(cidr, []) ?? []), false, cidr);
    }
  });

  it("reports which internal ranges an ipBlock still reaches", () => {
    assert.deepEqual(internalRangesReached(ipBlockRanges("0.0.0.0/0", INTERNAL_V4) ?? []), []);
    assert.deepEqual(internalRangesReached(ipBlockRanges("::/0", INTERNAL_V6) ?? []), []);
    assert.deepEqual(
      internalRangesReached(
        ipBlockRanges(
          "0.0.0.0/0",
          INTERNAL_V4.filter((c) => c !== "169.254.0.0/16"),
        ) ?? [],
      ),
      ["169.254.0.0/16"],
    );
    assert.deepEqual(internalRangesReached(ipBlockRanges("::/0", []) ?? []), INTERNAL_V6);
  });

  it("counts a partly excepted internal range as still reached", () => {
    const ranges =
      ipBlockRanges("0.0.0.0/0", [...INTERNAL_V4.filter((c) => c !== "10.0.0.0/8"), "10.0.0.0/9"]) ?? [];
    assert.deepEqual(internalRangesReached(ranges), ["10.0.0.0/8"]);
  });

  it("tells address literals from DNS names", () => {
    for (const literal of ["1.2.3.4", "203.0.113.0/24", "2001:db8::1", "::/0"])
      assert.equal(isAddressLiteral(literal), true, literal);
    for (const name of ["api.stripe.com", "1password.com", "localhost"])
      assert.equal(isAddressLiteral(name), false, name);
  });
});

describe("address parsing shared by the program and the pack", () => {
  it("refuses IPv4 forms Kubernetes does not read: two parts, one integer, hexadecimal, octal", () => {
    for (const block of ["10.0/8", "167772160/8", "0xa.0.0.0/8", "010.0.0.0/8"]) {
      assert.equal(parseCidr(block), undefined, block);
    }
  });

  it("reads an IPv4-mapped IPv6 block as the IPv4 block it is, so it reaches the private range", () => {
    assert.deepEqual(parseCidr("::ffff:10.0.0.0/104"), parseCidr("10.0.0.0/8"));
    assert.deepEqual(internalRangesReached(ipBlockRanges("::ffff:10.0.0.0/104", []) ?? []), ["10.0.0.0/8"]);
  });

  it("normalises blocks to one canonical text", () => {
    assert.equal(normaliseCidr("203.0.113.7/24"), "203.0.113.0/24");
    assert.equal(normaliseCidr("::ffff:203.0.113.7/120"), "203.0.113.0/24");
    assert.equal(normaliseCidr("2001:DB8:0:0::1/32"), "2001:db8::/32");
    assert.equal(normaliseCidr("10.0/8"), undefined);
  });

  it("finds multicast and reserved space as non-public", () => {
    assert.deepEqual(nonPublicRangesReached([parseCidr("224.0.0.0/24")!]), ["224.0.0.0/4"]);
    assert.deepEqual(nonPublicRangesReached([parseCidr("203.0.113.0/24")!]), []);
  });

  it("treats a dotless integer or hexadecimal host as an address literal", () => {
    assert.ok(isAddressLiteral("167772161"));
    assert.ok(isAddressLiteral("0xa.0.0.1"));
    assert.ok(!isAddressLiteral("api.stripe.com"));
  });

  it("reads one address by the same rules, IPv4-mapped as IPv4, and refuses blocks and other IPv4 forms", () => {
    const text = (value: string) => {
      const range = parseAddress(value);
      return range && formatAddress(range);
    };
    assert.equal(text(" ::ffff:203.0.113.7 "), "203.0.113.7");
    assert.equal(text("2001:DB8:0:0::10"), "2001:db8::10");
    assert.equal(text("203.0.113.7/32"), undefined, "a block is not an address");
    assert.equal(text("10.1"), undefined);
    assert.equal(text("167772161"), undefined);
  });
});
