import { isDnsLabel } from "../stacks/schema/values/kubernetes-values";
import { isAddressLiteral } from "../policy/mesh/address-ranges";

/** `--from <namespace>[/<serviceaccount>]` and `--to <host>[:<port>]`, read with errors that name the flag. */

export class TraceInputError extends Error {}

export function parseFrom(value: string): { namespace: string; serviceAccount: string } {
  const [namespace = "", serviceAccount = "default", ...rest] = value.split("/");
  if (rest.length > 0 || !isDnsLabel(namespace) || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(serviceAccount)) {
    throw new TraceInputError(
      `--from ${JSON.stringify(value)}: give <namespace>[/<serviceaccount>], e.g. payments or payments/checkout`,
    );
  }
  return { namespace, serviceAccount };
}

const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseTo(value: string): { host: string; port?: number } {
  const refuse = (why: string): never => {
    throw new TraceInputError(
      `--to ${JSON.stringify(value)}: ${why}; give <host>[:<port>], e.g. api.stripe.com:443`,
    );
  };
  if (value.includes("://")) refuse("a URL is not a host");
  // A bracketed IPv6 literal keeps its colons: [2001:db8::1]:443.
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(value) ?? /^([^:]+)(?::(\d+))?$/.exec(value);
  if (!match) return refuse("not a host and port");
  const host = (match[1] ?? "").toLowerCase();
  if (!HOST.test(host) && !isAddressLiteral(host)) refuse(`${JSON.stringify(host)} is not a DNS name`);
  if (match[2] === undefined) return { host };
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) refuse(`port ${match[2]} is not 1-65535`);
  return { host, port };
}
