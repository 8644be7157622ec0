import { z } from "zod";
import { quantityValue } from "./values/quantity";

/** Resource requests and limits, as the gateway and cert-manager sizing take them. */

/** apimachinery's quantity grammar: <signedNumber><binarySI | decimalSI | decimalExponent>. */
const KUBERNETES_QUANTITY =
  /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const QUANTITY_MESSAGE = "must be a Kubernetes quantity such as 500m, 1.5Gi, 512Mi or 1e3";

const quantity = z
  .union([z.string(), z.number()], { error: QUANTITY_MESSAGE })
  .refine((value) => typeof value === "number" || KUBERNETES_QUANTITY.test(value), QUANTITY_MESSAGE)
  .refine(
    (value) => !(quantityValue(value) < 0) && Number.isFinite(quantityValue(value)),
    "must not be negative: a resource request or limit is an amount",
  );

export const resourceList = z.strictObject({
  cpu: quantity.optional(),
  memory: quantity.optional(),
});
