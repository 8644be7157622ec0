import { KubernetesObject } from "../contract";
import { Fields, dig, fields, fieldsList, integer, specOf, text } from "./object-fields";

/** One `tls` block of a DestinationRule, wherever it sits (top level, per port, per subset). */
export interface TlsSetting {
  readonly where: string;
  readonly tls: Fields;
  readonly mode?: string;
  readonly port?: number;
  readonly subset?: string;
}

/** Every `tls` block of a DestinationRule: top level, per port, per subset and their ports. */
export function tlsSettings(rule: KubernetesObject): TlsSetting[] {
  const out: TlsSetting[] = [];
  const collect = (policy: unknown, where: string, subset?: string): void => {
    const p = fields(policy);
    const add = (tls: unknown, at: string, port?: number): void => {
      if (tls === undefined) return;
      const t = fields(tls);
      const mode = text(t.mode);
      out.push({
        where: at,
        tls: t,
        ...(mode !== undefined ? { mode } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(subset !== undefined ? { subset } : {}),
      });
    };
    add(p.tls, `${where}.tls`);
    fieldsList(p.portLevelSettings).forEach((s, i) =>
      add(s.tls, `${where}.portLevelSettings[${i}].tls`, integer(dig(s, "port", "number"))),
    );
  };
  const spec = specOf(rule);
  collect(spec.trafficPolicy, "trafficPolicy");
  fieldsList(spec.subsets).forEach((s, i) =>
    collect(s.trafficPolicy, `subsets[${i}].trafficPolicy`, text(s.name)),
  );
  return out;
}

/** The TLS modes in which the gateway originates TLS toward the host. */
export const ORIGINATING_MODES = new Set(["SIMPLE", "MUTUAL"]);
