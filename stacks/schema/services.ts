import { z } from "zod";
import {
  ISTIO_PROXY_PORTS,
  SERVER_ROOTS_KEYS,
  SERVER_ROOTS_SUFFIX,
  serverRootsSecretName,
} from "../../policy/contract";
import { modesWhere, type RoutingMode, routingModes, routingModeTraits, traitsOf } from "../routing-modes";
import { caBundle, clientCertificateSchema } from "./certificates";
import { externalHost } from "./hosts";
import { dns1123Label } from "./values/kubernetes-values";
import { parsePemCertificates } from "./values/pem-certificates";
import { pinnedAddresses } from "./values/pinned-addresses";

/** A field a routing mode refuses, with the reason and the fix. */
const refused = (message: string) => z.undefined({ error: message }).optional();

/** How the gateway verifies the external server: for every mode that originates TLS. */
const serverVerification = {
  /** SNI sent to the external server; defaults to the host. Only for single-host services. */
  sni: externalHost.optional(),
  /** Names the server certificate must carry; default: the host. */
  subjectAltNames: z.array(z.string().min(1)).min(1).optional(),
  /** The external server's CA bundle; default: the gateway's system roots. */
  caBundle: caBundle.optional(),
};

const clientCertificateModes = () => modesWhere((traits) => traits.clientCertificate).join(", ");

/** TLS settings of a mode that originates TLS without a client certificate: server verification only. */
function serverOnlyTlsSchema(mode: RoutingMode) {
  return z
    .strictObject({
      ...serverVerification,
      credentialName: refused(
        `a client credential is only presented in ${clientCertificateModes()} mode: change mode or remove credentialName`,
      ),
      clientCertificate: refused(
        `a client certificate is only presented in ${clientCertificateModes()} mode, not ${mode}: change mode or remove clientCertificate`,
      ),
    })
    .optional();
}

/** TLS settings of a mode where the gateway presents a client certificate: all three parts are required. */
function clientCertificateTlsSchema(mode: RoutingMode) {
  return z
    .strictObject({
      ...serverVerification,
      /** Secret in the gateway namespace holding the client certificate. */
      credentialName: dns1123Label.optional(),
      /** The client certificate cert-manager issues into `credentialName`. */
      clientCertificate: clientCertificateSchema.optional(),
    })
    .superRefine(
      (tls, ctx) => {
        const missing = (field: string, message: string) =>
          ctx.addIssue({ code: "custom", path: [field], message });
        if (!tls.credentialName) {
          missing(
            "credentialName",
            `${mode} needs the name of the Secret holding the client certificate in the gateway namespace`,
          );
        }
        if (!tls.clientCertificate) {
          missing(
            "clientCertificate",
            `${mode} needs a client certificate: add tls.clientCertificate with the issuer that signs it (an entry of mesh-egress:issuers)`,
          );
        }
        if (!tls.caBundle) {
          missing(
            "caBundle",
            `${mode} needs the external server's CA bundle (pem, or a secretRef): with a client credential istiod verifies the server only against "${serverRootsSecretName(tls.credentialName ?? "<credentialName>")}", and would otherwise fall back to the client certificate's ca.crt, which is the client issuer's CA, not the server's`,
          );
        }
      },
      // Report every missing part at once, even when another field is malformed.
      { when: (payload) => typeof payload.value === "object" && payload.value !== null },
    )
    .prefault({});
}

/** The `tls` settings a routing mode accepts. */
function tlsSchemaFor(mode: RoutingMode) {
  const { origination, clientCertificate } = routingModeTraits[mode];
  switch (origination) {
    case "none":
      return refused(
        `TLS settings apply only where the gateway originates TLS (${modesWhere((t) => t.origination !== "none").join(", ")}); in ${mode} mode the application verifies the server itself: remove tls or change mode`,
      );
    case "SIMPLE":
    case "MUTUAL":
      return clientCertificate ? clientCertificateTlsSchema(mode) : serverOnlyTlsSchema(mode);
    default:
      return origination satisfies never;
  }
}

/** The Secret istiod would read a service's server roots from. */
function expectedRootsSecret(service: ServiceShape): string {
  return traitsOf(service).clientCertificate && service.tls?.credentialName
    ? serverRootsSecretName(service.tls.credentialName)
    : `${service.name}-server${SERVER_ROOTS_SUFFIX}`;
}

interface ServiceShape {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly port: number;
  readonly mode: RoutingMode;
  readonly tls?: {
    readonly sni?: string;
    readonly caBundle?: z.output<typeof caBundle>;
    readonly credentialName?: string;
  };
}

/** Checks within one service that span its fields: SNI vs hosts, port vs mode, server roots. */
function checkService(service: ServiceShape, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (service.tls?.sni && service.hosts.length > 1) {
    add(["tls", "sni"], "an explicit SNI only fits a single-host service: split the service per host");
  }
  if (traitsOf(service).origination !== "none" && service.port === 80) {
    add(
      ["port"],
      "port 80 is where the gateway receives plain HTTP from the mesh; the external TLS port is usually 443",
    );
  }
  checkServerRoots(service, add);
}

/** How each kind of bundle reaches the Secret istiod reads, `<credentialName>-cacert`. */
function checkServerRoots(
  service: ServiceShape,
  add: (path: (string | number)[], message: string) => void,
): void {
  const bundle = service.tls?.caBundle;
  if (!bundle) return;
  const at = ["tls", "caBundle"];
  if ("pem" in bundle) {
    const parsed = parsePemCertificates(bundle.pem);
    if ("problem" in parsed)
      add([...at, "pem"], `${parsed.problem}: give the server's CA certificates as PEM`);
  } else if ("configMapRef" in bundle) {
    add(
      [...at, "configMapRef"],
      `istiod reads origination roots only from Secrets in the gateway namespace: give the bundle as pem, or as a secretRef to a Secret named "${expectedRootsSecret(service)}"`,
    );
  } else {
    const { name, key } = bundle.secretRef;
    const credential = service.tls?.credentialName;
    if (traitsOf(service).clientCertificate) {
      if (credential && name !== serverRootsSecretName(credential)) {
        add(
          [...at, "secretRef", "name"],
          `must be "${serverRootsSecretName(credential)}": istiod reads the server roots of credential "${credential}" only from that Secret, in the gateway namespace; create or sync the Secret under that name, or give the PEM inline`,
        );
      }
    } else if (!name.endsWith(SERVER_ROOTS_SUFFIX)) {
      add(
        [...at, "secretRef", "name"],
        `must end in "${SERVER_ROOTS_SUFFIX}" (e.g. "${service.name}-server${SERVER_ROOTS_SUFFIX}"): istiod finds roots-only Secrets by that suffix; the Secret must be in the gateway namespace`,
      );
    }
    if (!SERVER_ROOTS_KEYS.includes(key)) {
      add(
        [...at, "secretRef", "key"],
        `istiod reads server roots from key ${SERVER_ROOTS_KEYS.join(" or ")}, not "${key}"`,
      );
    }
  }
}

/** An external service in one routing mode: the fields every mode shares, and the tls that mode accepts. */
function externalServiceOfMode(mode: RoutingMode) {
  return z
    .strictObject({
      name: dns1123Label,
      description: z.string().optional(),
      hosts: z.array(externalHost).min(1, "list at least one host"),
      /** The external server's TLS port. */
      port: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .refine((port) => ISTIO_PROXY_PORTS[port] === undefined, {
          error: (issue) =>
            `port ${String(issue.input)} is the gateway proxy's own (${ISTIO_PROXY_PORTS[issue.input as number]}): use the external server's real port`,
        })
        .default(443),
      mode: z.literal(mode),
      tls: tlsSchemaFor(mode),
      /** Public addresses the gateway connects to for every host (ServiceEntry `resolution: STATIC`). */
      pinnedAddresses: pinnedAddresses.optional(),
      allowedCidrs: refused(
        "allowedCidrs was removed: its ipBlock sat beside the internet rule on the same port, and NetworkPolicy rules add up, so it narrowed nothing. Use pinnedAddresses: the gateway then connects only to those addresses (resolution STATIC), and the gateway's NetworkPolicy narrows the port to them when every service on it is pinned",
      ),
    })
    .superRefine(checkService);
}

const [firstMode, ...otherModes] = routingModes.map(externalServiceOfMode);

/** An external service; which `tls` settings it accepts depends on its mode. */
export const externalServiceSchema = z.discriminatedUnion("mode", [firstMode, ...otherModes], {
  error: (issue) =>
    issue.code === "invalid_union" ? `must be one of ${routingModes.join(", ")}` : undefined,
});
