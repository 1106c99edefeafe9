// Typed access to ATen operators by schema name. Each operator is looked up once, on first use.
import { native } from './native.js';
import { activeRecorder } from './trace.js';

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
  // Fixed arity for the common short calls (no rest-array allocation); trailing undefined arguments
  // take the schema's defaults in the addon either way.
  const f = ((...args: unknown[]) => {
    const i = resolve();
    const rec = activeRecorder();
    if (rec !== null) {
      const r = native.call(i, ...args);
      rec.aten(native.opSchema(i), args, r);
      return r;
    }
    switch (args.length) {
      case 1:
        return native.call(i, args[0]);
      case 2:
        return native.call(i, args[0], args[1]);
      case 3:
        return native.call(i, args[0], args[1], args[2]);
      default:
        return native.call(i, ...args);
    }
  }) as AtenOp;
  f.inplace = (...args: unknown[]) => {
    native.callVoid(resolve(), ...args);
    activeRecorder()?.inplace(native.opSchema(resolve()), args);
  };
  f.schema = () => native.opSchema(resolve());
  return f;
}
