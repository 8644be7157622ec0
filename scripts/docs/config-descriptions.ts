/**
 * What each configuration key means, keyed by its path in docs/reference/configuration.md
 * (`gateway.replicas.min`, `services[].tls.caBundle`, `rateLimits.tenants.<name>.http`). Types, defaults and
 * constraints come from the zod schema itself; a `.describe()` on a schema field takes precedence over this
 * text. `npm run docs` lists keys with no description here, and the docs test fails on a description whose key
 * the schema no longer has.
 */
export const CONFIG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  environment:
    "The tier: selects the baseline that fills gateway sizing, guardrail actions and rate limits; prod also refuses what dev tolerates (plain `passthrough`, fewer than 3 replicas, self-signed issuers).",
  gateway:
    "The egress gateway: where it runs, its chart, and its sizing (tier baseline, overridable field by field).",
  "gateway.namespace": "Namespace of the gateway and of every gateway-side object.",
  "gateway.releaseName": "Helm release; the Service is `<releaseName>.<namespace>.svc.<cluster.domain>`.",
  "gateway.chart": "The pinned `istio/gateway` chart.",
  "gateway.chart.version": "Chart version, an exact pin (no range).",
  "gateway.chart.repository": "Chart repository, `https://` or `oci://`.",
  "gateway.replicas": "HPA bounds (tier); `min ≤ max`.",
  "gateway.replicas.min": "Fewest replicas (tier); prod refuses fewer than 3.",
  "gateway.replicas.max": "Most replicas (tier).",
  "gateway.targetCpuUtilizationPercentage": "HPA CPU target (tier).",
  "gateway.resources": "Gateway container requests and limits (tier); requests may not exceed limits.",
  "gateway.resources.requests": "`cpu` and `memory` quantities (`500m`, `512Mi`).",
  "gateway.resources.limits": "`cpu` and `memory` quantities; not below the requests.",
  "gateway.podDisruptionBudget.minAvailable":
    "Pods kept through a voluntary disruption: at least 1, or 1%–100%.",
  "gateway.podDisruptionBudget.maxUnavailable":
    "Pods evictable at once: at least 1, or 1%–99% (100% would let every replica go).",
  "gateway.spread.zone": "Spread over zones: `DoNotSchedule` (hard), `ScheduleAnyway` (soft) or `off`.",
  "gateway.spread.node": "Spread over nodes: `DoNotSchedule` (hard), `ScheduleAnyway` (soft) or `off`.",
  "gateway.tolerations[].operator": "`Exists` takes no value; an empty key needs `Exists`.",
  "controlPlane.chart.version": "Chart version, an exact pin (no range).",
  "controlPlane.chart.repository": "Chart repository, `https://` or `oci://`.",
  "certManager.chart.version": "Chart version, an exact pin (no range).",
  "certManager.chart.repository": "Chart repository, `https://` or `oci://`.",
  "rateLimits.gateway.http.per": "The interval: `second`, `minute` or `hour`.",
  "rateLimits.gateway.tls.per": "The interval: `second`, `minute` or `hour`.",
  "rateLimits.gateway.tls.burst": "Bucket size; default the count, never below it.",
  "rateLimits.tenants.<name>":
    "A tenant namespace declared in `tenants`: `http`, `tls` and `services`, or `unlimited` with a `reason`.",
  "rateLimits.tenants.<name>.services.<name>": "An allowed service of the tenant, by name.",
  "rateLimits.global.redis.deploy":
    "The stack runs a Redis (counters only, no persistence) beside the limiter.",
  "rateLimits.global.redis.deploy.image": "Redis, pinned by digest (a tag is refused).",
  "rateLimits.global.redis.existing": "An existing Redis: `url` (a Pulumi secret), `cidrs`, `port`, `tls`.",
  "breakGlass[].scope.grant.destination.host": "One lowercase DNS name, no wildcard, not already registered.",
  "breakGlass[].scope.grant.destination.mode":
    "`passthrough-mtls` or `originate` (`originate-mutual` needs a client certificate issued ahead).",
  "gateway.podDisruptionBudget":
    "`{minAvailable}`, `{maxUnavailable}` or `false` (tier; dev is `false` since the chart refuses a PDB for one replica); a budget needs `replicas.min ≥ 2`.",
  "gateway.spread": "Topology spread over `topology.kubernetes.io/zone` and `kubernetes.io/hostname` (tier).",
  "gateway.nodeSelector": "Pin the gateway to egress nodes (e.g. nodes with fixed NAT addresses).",
  "gateway.tolerations": "Tolerate dedicated egress nodes' taints (`Exists` takes no value).",
  "gateway.scrapeFromNamespaces":
    "Namespaces allowed to scrape the gateway's metrics ports (15020, 15090); must not be tenants.",
  controlPlane: "Istio's control plane: install it, or use the one already in the cluster.",
  "controlPlane.install":
    "`true`: install Istio `base` + `istiod` with mesh-wide `REGISTRY_ONLY` and `PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true`; `false`: the existing control plane's settings apply (tenants' Sidecars still enforce `REGISTRY_ONLY`).",
  "controlPlane.namespace": "istiod's namespace (tenants' Sidecars and NetworkPolicies reach it).",
  "controlPlane.chart": "The pinned Istio charts (`base`, `istiod`).",
  "controlPlane.trustDomain": "The mesh trust domain (a DNS name).",
  "controlPlane.revision":
    "A revisioned control plane: namespaces get `istio.io/rev: <revision>` (and no `istio-injection`, which would override it), the gateway chart and an installed istiod get `revision`, NetworkPolicies reach that revision's istiod pods.",
  "controlPlane.cni":
    "The mesh runs Istio CNI (no privileged istio-init in tenant pods): tenant namespaces then enforce Pod Security. With `install` the stack installs the `istio/cni` chart; without, it is a prerequisite `report` shows.",
  "controlPlane.proxyImage":
    "The proxy image the injector uses (istio-init, istio-proxy); the guardrails admit exactly it in injected containers. Default `docker.io/istio/proxyv2:<chart version>`.",
  cluster:
    "What the stack must know of the cluster: DNS, internal ranges, open namespaces, the cluster-wide lock.",
  "cluster.domain":
    "The cluster's DNS domain: the gateway Service is `<release>.<namespace>.svc.<domain>` (`lint --cluster-domain`).",
  "cluster.dns": "Where cluster DNS runs; NetworkPolicies allow 53/UDP and TCP to it.",
  "cluster.dns.namespace": "The DNS namespace.",
  "cluster.dns.podLabels": "Labels of the DNS pods; at least one (default `{k8s-app: kube-dns}`).",
  "cluster.dns.nodeLocalAddresses":
    "NodeLocal DNSCache addresses (e.g. `169.254.20.10`), single IPs: every policy and the lock allow them on port 53 only.",
  "cluster.openEgressNamespaces":
    "Namespaces whose pods have open egress (CI runners, proxies): tenants' in-cluster rule excludes them, as it excludes the control plane's, the gateway's and DNS's; must not be tenants.",
  "cluster.internalCidrs":
    "The cluster's pod, service and node ranges outside the private ones (e.g. EKS IPv6 pods on public `2600:` addresses), IPv4 or IPv6: the gateway NetworkPolicy and the cluster-wide lock treat them as internal; a pinned address inside them is refused.",
  "cluster.lockAllNamespaces":
    "`true` or `{exempt, priority}`: an AdminNetworkPolicy denies egress outside the cluster from every namespace but the gateway's and `exempt` ([the lock](../security-model.md#the-cluster-wide-lock)). `false`: namespaces that are not tenants get no egress lock from this stack.",
  "cluster.lockAllNamespaces.exempt":
    "Namespaces left unlocked (never a tenant), e.g. cert-manager's when its ACME or Vault server is outside the cluster.",
  "cluster.lockAllNamespaces.priority":
    "AdminNetworkPolicy priority (lower wins); the DNS upstream pass sits one step ahead, so 0 is refused.",
  certManager:
    "Install cert-manager (pinned, CRDs included) or use the cluster's; tier sizes ([certificates](../certificates.md#configuration-reference)).",
  "certManager.install": "`true`: install cert-manager through `@pulumi/kubernetes-cert-manager`.",
  "certManager.namespace": "cert-manager's namespace; `ClusterIssuer` key pairs live here.",
  "certManager.chart": "The pinned cert-manager chart.",
  "certManager.serviceAccountName":
    "cert-manager's ServiceAccount (default `cert-manager`); only with `install: false`.",
  "certManager.controller":
    "The controller (only with `install: true`; tier, with a PodDisruptionBudget `minAvailable: 1` whenever more than one replica). Memory is limited and CPU is not: throttling the controller only delays renewals.",
  "certManager.webhook":
    "The webhook (tier). No PodDisruptionBudget: the `CertManager` component (0.2.0) cannot pass it through its typed arguments.",
  "certManager.cainjector": "The CA injector (tier).",
  "issuers[].ca.secretName": "An existing Secret with `tls.crt` and `tls.key`.",
  "issuers[].ca.certificate": "The CA certificate (PEM; RSA 2048+ or EC), with `ca.privateKey`.",
  "issuers[].selfSigned.commonName": "Default `<name> mesh-egress <env> CA`.",
  "issuers[].selfSigned.privateKey": "`ECDSA` 256 by default.",
  "issuers[].selfSigned.duration": "A Go duration (`2160h`, `90m`; days are not a unit).",
  "issuers[].vault.server": "Vault's `https://` URL.",
  "issuers[].vault.path": "The PKI **sign** path.",
  "issuers[].vault.namespace": "A Vault Enterprise namespace.",
  "issuers[].vault.caBundle": "Roots for Vault's own TLS.",
  "issuers[].vault.auth.kubernetes.role": "The Vault role cert-manager logs in as.",
  "issuers[].vault.auth.kubernetes.serviceAccountRef.name": "Default `<name>-vault`, created by the stack.",
  "issuers[].vault.auth.kubernetes.serviceAccountRef.audiences": "Extra token audiences.",
  "services[].tls.caBundle.pem":
    "Written to `<credentialName>-cacert` (`originate`: `<service>-server-cacert`).",
  "services[].tls.caBundle.secretRef":
    "A Secret in the gateway namespace: `<credentialName>-cacert` (mutual) or a name ending in `-cacert`; key `cacert` or `ca.crt`.",
  "services[].tls.caBundle.configMapRef": "Refused: istiod reads Secrets only.",
  "services[].tls.clientCertificate.issuer": "An issuer's `name`.",
  "services[].tls.clientCertificate.commonName": "At least one of `commonName`, `dnsNames`, `uris`.",
  "services[].tls.clientCertificate.uris": "E.g. `spiffe://corp.example/egress/partner`.",
  "services[].tls.clientCertificate.privateKey":
    "ECDSA 256/384/521 or RSA 2048/4096/8192 (RSA default 2048).",
  "services[].tls.clientCertificate.duration":
    "A Go duration, at least 1h; the policy pack caps client certificates at 90 days.",
  "services[].tls.clientCertificate.renewBefore": "A Go duration, at least 5m, shorter than `duration`.",
  "rateLimits.gateway.http.requests": "Requests per `per` interval.",
  "rateLimits.gateway.http.burst": "Bucket size; default the count, never below it.",
  "rateLimits.gateway.tls.connections": "New connections per `per` interval.",
  "rateLimits.gateway.tls.maxConcurrent": "Open connections at once.",
  "rateLimits.global.redis.existing.cidrs":
    "The Redis server's addresses: the limiter's NetworkPolicy allows egress to them on `port`.",
  "breakGlass[].scope.direct.tenants": "Tenants that go around the gateway to their allowed services' hosts.",
  "breakGlass[].scope.grant.tenant": "The tenant granted.",
  "breakGlass[].scope.grant.service":
    "A registered service the tenant is not allowed (or give `destination`).",
  "breakGlass[].scope.grant.destination":
    "A host not in the registry, registered as a temporary service `break-glass-<id>` for the entry's lifetime (`passthrough-mtls` or `originate`; port 443 by default).",
  issuers:
    "Issuers of client certificates: CA, self-signed (dev only) or Vault ([certificates](../certificates.md#issuers-where-the-client-roots-come-from)).",
  "issuers[].name": "The issuer's name; `services[].tls.clientCertificate.issuer` refers to it.",
  "issuers[].kind":
    "`ClusterIssuer` (default for `ca` and `selfSigned`, which keeps the key pair in cert-manager's namespace; `Issuer` is refused for them) or `Issuer` (default for `vault`).",
  "issuers[].ca":
    "A CA key pair: from an existing Secret (`secretName`), or a certificate and a Pulumi-secret key.",
  "issuers[].ca.privateKey":
    "The CA key, only as a Pulumi secret (`pulumi config set --secret --path …`); plain text is refused.",
  "issuers[].selfSigned": "A self-signed bootstrap CA (dev only).",
  "issuers[].vault": "A Vault PKI issuer, logged in with a Kubernetes ServiceAccount token.",
  services: "The registry: every external service the cluster may reach.",
  "services[].name":
    "Names the service's objects (`ServiceEntry/<name>`, …); unique; `break-glass-*` is reserved.",
  "services[].description": "For reviewers and the registry report.",
  "services[].hosts":
    "Fully qualified names: no wildcards, no IPs, no in-cluster names (`.svc`, `.local`, the cluster's `domain`), no private-use domains (`.internal`, `.localhost`, `.home.arpa`); a host belongs to one service.",
  "services[].port": "The external server's TLS port; not a port the gateway proxy binds (15000–15090).",
  "services[].mode":
    "How traffic crosses the gateway ([routing modes](../architecture.md#routing-modes)); prod refuses `passthrough`.",
  "services[].tls":
    "Origination settings; refused on passthrough modes (the application verifies the server there).",
  "services[].tls.sni": "SNI sent upstream; default the host; single-host services only.",
  "services[].tls.subjectAltNames": "Names the server certificate must carry; default `[host]`.",
  "services[].tls.caBundle":
    "The external server's CA (default: the gateway's system roots; required for `originate-mutual`); reaches the gateway as `<credentialName>-cacert`. `configMapRef` is refused: istiod reads only Secrets.",
  "services[].tls.credentialName": "Secret holding the client certificate; required for `originate-mutual`.",
  "services[].tls.clientCertificate":
    "The certificate cert-manager issues into `credentialName`: issuer, subject, SANs, key, lifetimes ([certificates](../certificates.md#client-certificates)).",
  "services[].pinnedAddresses":
    "Public addresses (a CIDR only as `/32` or `/128`) the gateway connects to for every host of the service, instead of DNS ([pinned addresses](../configuration.md#pinned-addresses)).",
  "services[].allowedCidrs":
    "Removed and refused: it added an `ipBlock` beside the internet rule on the same port, which narrowed nothing. Use `pinnedAddresses`.",
  tenants: "Namespaces whose workloads may use external services, and which ones.",
  "tenants[].namespace":
    "The tenant namespace; not the gateway's, the control plane's, cert-manager's, the DNS's or a system namespace.",
  "tenants[].description": "For reviewers.",
  "tenants[].podSecurity":
    "The Pod Security Standard the namespace enforces when the mesh runs Istio CNI: `baseline` (default) or `restricted`.",
  "tenants[].allow":
    "Services this namespace may use; empty means no external egress (with no grant at all, the gateway gets an allow-nothing policy).",
  rateLimits:
    "Limits the gateway's Envoy enforces, every number for the whole gateway fleet ([rate limits](../rate-limit-reference.md)).",
  "rateLimits.replicaSharing": "How a fleet-wide limit becomes one replica's bucket.",
  "rateLimits.gateway": "The backstop every request or connection also pays into (tier default when absent).",
  "rateLimits.gateway.http": "Backstop for HTTP requests (tier).",
  "rateLimits.gateway.tls":
    "Cap on each TLS service's limit, and its limit when a tenant using it is unlimited (tier).",
  "rateLimits.tenants":
    "Per tenant namespace. In prod every tenant with egress needs a limit or `unlimited`.",
  "rateLimits.tenants.<name>.http":
    "The tenant's HTTP requests, all origination-mode services together (tier default; none in prod, where it is required).",
  "rateLimits.tenants.<name>.tls":
    "New and open connections per passthrough-mode service it uses (tier default; none in prod, where it is required).",
  "rateLimits.tenants.<name>.services":
    "Tighter limits for one allowed service: `http` only for origination modes, `tls` only for passthrough modes.",
  "rateLimits.tenants.<name>.unlimited": "An explicit exemption (backstop only); needs `reason`.",
  "rateLimits.tenants.<name>.reason": "Why the tenant is unlimited; rendered on the EnvoyFilter.",
  "rateLimits.global":
    "Exact cluster-wide limits through envoyproxy/ratelimit (and Redis), on top of the local ones.",
  "rateLimits.global.image": "envoyproxy/ratelimit, pinned by digest (a tag is refused).",
  "rateLimits.global.runAsUser":
    "The numeric non-root UID the limiter runs as (default 65534): its images set no USER, so the kubelet's runAsNonRoot check needs one; 0 is refused.",
  "rateLimits.global.redis.deploy.runAsUser":
    "The numeric non-root UID Redis runs as (default 999, the official image's `redis` user); 0 is refused.",
  "rateLimits.global.redis.deploy.runAsGroup": "The numeric GID Redis runs as (default 999).",
  "rateLimits.global.replicas": "Limiter replicas.",
  "rateLimits.global.domain": "The limiter's domain.",
  "rateLimits.global.timeoutMs":
    "How long the gateway waits for the limiter before failing open onto the local limits.",
  "rateLimits.global.redis": "`deploy` a Redis (counters only, no persistence) or use an `existing` one.",
  "rateLimits.global.redis.existing.url":
    "Must be a Pulumi secret (`pulumi config set --secret --path 'mesh-egress:rateLimits.global.redis.existing.url'`).",
  guardrails:
    "Admission policies the API server enforces ([security model](../security-model.md#admission-guardrails)).",
  "guardrails.enabled":
    "Deploy the admission guardrails (the pack's `admission-guardrails-enforced` requires them).",
  "guardrails.validationActions":
    "What the bindings do on a violation (tier); `Deny` and `Warn` cannot be combined.",
  "guardrails.breakGlassRequesters":
    "Users or groups who may create break-glass `direct` NetworkPolicies past `network-policy-internal-egress`: the identity `pulumi up` runs as. Default: nobody.",
  "guardrails.platformIdentities":
    "Users, service accounts or groups that deploy the platform (CI's or Pulumi's): the only identities besides `system:masters` that may change or delete what the stack renders into tenant namespaces, and their Namespaces' tenant labels.",
  breakGlass:
    "Time-bounded exceptions ([break-glass](../tasks/break-glass.md)); every field a string (quote a numeric ticket and the timestamp).",
  "breakGlass[].id": "Names and labels the objects the entry adds.",
  "breakGlass[].reason": "Why; an annotation on every object the entry adds.",
  "breakGlass[].ticket": "The incident or change ticket.",
  "breakGlass[].approvedBy": "Who approved it.",
  "breakGlass[].expiresAt":
    "RFC 3339 with offset, at most the maximum lifetime from now; once passed, the entry renders nothing.",
  "breakGlass[].scope": "Exactly one of `direct` or `grant`.",
  "breakGlass[].scope.direct":
    "Listed tenants reach their allowed services' hosts directly, around the gateway.",
  "breakGlass[].scope.grant":
    "A tenant may use a registered `service` it is not allowed, or a `destination` host not yet registered.",
  breakGlassMaxHours: "Lowers the tier's maximum break-glass lifetime (hours).",
};
