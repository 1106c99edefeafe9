// Scoped memory management. V8 does not see libtorch's memory, so the primary release mechanism is
// explicit: scope(fn) disposes every tensor created inside fn except those it returns (anywhere in
// arrays, plain objects or Maps) and those marked with keep(). Finalizers remain a safety net only.

/** What a scope tracks: anything that can be disposed and kept. */
export interface Scoped {
  dispose(): void;
  readonly kept: boolean;
  /** Called when the object leaves every scope alive (returned from the outermost one). */
  unscoped(): void;
}

const stack: Scoped[][] = [];

/** Called by every new tensor: registers it with the innermost open scope; false when none is open. */
export function track(t: Scoped): boolean {
  const top = stack[stack.length - 1];
  if (top === undefined) return false;
  top.push(t);
  return true;
}

function collect(value: unknown, into: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ('dispose' in value && 'kept' in value) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, into, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into, depth + 1);
  }
}

/**
 * Runs fn and disposes every tensor it created, except the ones in its result and kept ones.
 * Returned tensors move to the enclosing scope. fn must be synchronous.
 */
export function scope<T>(fn: () => T): T {
  const mine: Scoped[] = [];
  stack.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    stack.pop();
    for (const t of mine) if (!t.kept) t.dispose();
    throw err;
  }
  stack.pop();
  if (result instanceof Promise) {
    for (const t of mine) if (!t.kept) t.dispose();
    throw new Error('scope(fn): fn returned a Promise; scopes are synchronous (await outside the scope)');
  }
  const returned = new Set<unknown>();
  collect(result, returned);
  const parent = stack[stack.length - 1];
  for (const t of mine) {
    if (returned.has(t)) {
      if (parent) parent.push(t);
      else t.unscoped();
    } else if (!t.kept) {
      t.dispose();
    }
  }
  return result;
}

/** Depth of open scopes (for tests and diagnostics). */
export function scopeDepth(): number {
  return stack.length;
}
