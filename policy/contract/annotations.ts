/**
 * On an origination DestinationRule whose server roots live in an existing Secret (caBundle.secretRef):
 * that Secret's name. The stack does not manage it, so the policy pack takes this as the declaration.
 */
export const SERVER_ROOTS_SECRET_ANNOTATION = "mesh-egress.io/server-roots-secret";

/** On a Secret rendered without its key material: the keys `pulumi up` fills from Pulumi secrets. */
export const PULUMI_SECRET_KEYS_ANNOTATION = "mesh-egress.io/pulumi-secret-keys";
/** On the same Secret: the config path (`mesh-egress:issuers[0].ca.privateKey`) each key comes from. */
export const PULUMI_SECRET_SOURCE_ANNOTATION = "mesh-egress.io/pulumi-secret-source";
