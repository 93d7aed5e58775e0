/**
 * During a preview the engine passes values not yet known (an app ID before
 * the app exists) to check and diff as this sentinel string
 * (`unknownValue` in @pulumi/pulumi runtime/rpc).
 */
export const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_INPUT;
}

/** Whether a value is unknown or holds an unknown anywhere inside (lists, objects). */
export function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}
