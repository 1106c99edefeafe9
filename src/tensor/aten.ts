// Typed access to ATen operators by schema name. Each operator is looked up once, on first use.
import { native } from './native.js';

export interface AtenOp {
  /** Runs the operator and returns its native result(s). */
  (...args: unknown[]): unknown;
  /** Runs an in-place operator, discarding its result (the input handle already refers to it). */
  inplace(...args: unknown[]): void;
  /** The operator's full schema, for error messages and documentation. */
  schema(): string;
}

export function aten(name: string, overload = ''): AtenOp {
  let id = -1;
  const resolve = (): number => (id >= 0 ? id : (id = native.op(`aten::${name}`, overload)));
  const f = ((...args: unknown[]) => native.call(resolve(), ...args)) as AtenOp;
  f.inplace = (...args: unknown[]) => native.callVoid(resolve(), ...args);
  f.schema = () => native.opSchema(resolve());
  return f;
}
