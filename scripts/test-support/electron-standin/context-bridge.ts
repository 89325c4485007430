/**
 * contextBridge's copy rules, for tests that run a built preload without Electron.
 *
 * Every rule cites Electron's own source at 96f3996d (the 45 line; unchanged since 44-x-y):
 * `shell/renderer/api/electron_api_context_bridge.cc`, PassValueToOtherContextInner(), and the
 * docs table in `docs/api/context-bridge.md` ("Parameter / Error / Return Type support").
 * The checks run in Electron's order; the first that matches decides:
 *
 * 1. depth ≥ 1000 → TypeError "Electron contextBridge recursion depth exceeded…" (cc 171–179)
 * 2. string, number, boolean, null, undefined, symbol, bigint → the same value (cc 188–190)
 * 3. function → a proxy in the other world; each call copies its arguments back and its return
 *    value forward; a throw arrives as `new Error(message)` (cc 199–238, ProxyFunctionWrapper
 *    492–625, 552–571)
 * 4. Promise → a new Promise in the other world, settled with the copied value (cc 241–352)
 * 5. Error → `new Error(message)` only: no class, stack, `code`, `detail` (cc 354–371; docs:
 *    "any custom properties on the Error object will be lost")
 * 6. plain array → copied element by element (cc 373–402)
 * 7. plain object → a new object of the other world with its own enumerable keys (cc 435–445,
 *    CreateProxyForAPI 627–729: prototype dropped)
 * 8. anything else → structured clone, or Error "An object could not be cloned."
 *    (cc 447–465; shell/common/v8_util.cc 162–166) — a Node Buffer arrives as a Uint8Array
 *
 * exposeInMainWorld (ExposeAPI, cc 733–766) copies the API by these rules, deep-freezes it,
 * defines it read-only and non-configurable, and throws if the key exists already.
 */
import { types } from 'node:util';

/** What a value is, by Electron's rules, in their order. */
export type BridgeKind =
  'primitive' | 'function' | 'promise' | 'error' | 'array' | 'object' | 'clone';

export const MAX_DEPTH = 1000;

/** `IsPlainObject` (cc 99–116): not a Date, RegExp, Map, Set, ArrayBuffer(View), Promise, Proxy, Error, boxed primitive… */
function isPlainObject(v: object): boolean {
  return !(
    types.isDate(v) ||
    types.isRegExp(v) ||
    types.isMap(v) ||
    types.isSet(v) ||
    types.isAnyArrayBuffer(v) ||
    ArrayBuffer.isView(v) ||
    types.isPromise(v) ||
    types.isProxy(v) ||
    types.isNativeError(v) ||
    types.isBoxedPrimitive(v) ||
    types.isWeakMap(v) ||
    types.isWeakSet(v)
  );
}

export function classify(value: unknown): BridgeKind {
  const t = typeof value;
  if (
    value === null ||
    t === 'string' ||
    t === 'number' ||
    t === 'boolean' ||
    t === 'undefined' ||
    t === 'symbol' ||
    t === 'bigint'
  )
    return 'primitive';
  if (t === 'function') return 'function';
  if (types.isPromise(value)) return 'promise';
  // an Error of any realm (the preload's own realm is not ours)
  if (types.isNativeError(value)) return 'error';
  if (Array.isArray(value) && !ArrayBuffer.isView(value)) return 'array';
  if (isPlainObject(value as object)) return 'object';
  return 'clone';
}

export function depthExceeded(): TypeError {
  return new TypeError(
    'Electron contextBridge recursion depth exceeded.  Nested objects deeper than 1000 are not supported.',
  );
}

/** Structured clone by V8's serializer, as Electron does for everything else (rule 8). */
export function cloneOrThrow(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    throw new Error('An object could not be cloned.');
  }
}

/** The message of a thrown value, as ProxyFunctionWrapper reads it (cc 548–571). */
export function thrownMessage(thrown: unknown): string {
  const message =
    thrown !== null && typeof thrown === 'object'
      ? (thrown as { message?: unknown }).message
      : undefined;
  return typeof message === 'string'
    ? message
    : 'An unknown exception occurred in the isolated context, an error occurred but a valid exception was not thrown.';
}

/** The constructors of the world a value is copied into. */
export interface World {
  readonly Object: ObjectConstructor;
  readonly Array: ArrayConstructor;
  readonly Error: ErrorConstructor;
  readonly Promise: PromiseConstructor;
}

/** This (the test's) world. */
export const HERE: World = { Object, Array, Error, Promise };

/**
 * Copy `value` from world `from` into world `to` by the rules above — for a page world that
 * lives in the same Node process as the preload's (tests that drive the bridge directly).
 */
export function crossWorlds(value: unknown, from: World, to: World, depth = 0): unknown {
  if (depth >= MAX_DEPTH) throw depthExceeded();
  switch (classify(value)) {
    case 'primitive':
      return value;
    case 'function': {
      const fn = value as (...args: unknown[]) => unknown;
      // rule 3: arguments go back the other way; a throw keeps its message only
      return function proxied(...args: unknown[]): unknown {
        let result: unknown;
        try {
          result = fn(...args.map((a) => crossWorlds(a, to, from, 0)));
        } catch (thrown) {
          throw new to.Error(thrownMessage(thrown));
        }
        return crossWorlds(result, from, to, 0);
      };
    }
    case 'promise':
      return new to.Promise((resolve, reject) => {
        (value as Promise<unknown>).then(
          (v) => resolve(crossWorlds(v, from, to, 0)),
          (e: unknown) =>
            reject(
              classify(e) === 'error'
                ? new to.Error(thrownMessage(e))
                : crossWorlds(e, from, to, 0),
            ),
        );
      });
    case 'error':
      return new to.Error(thrownMessage(value));
    case 'array':
      return to.Array.from(value as unknown[], (v) => crossWorlds(v, from, to, depth + 1));
    case 'object': {
      const out = new to.Object() as Record<string, unknown>;
      for (const key of Object.keys(value as object))
        out[key] = crossWorlds((value as Record<string, unknown>)[key], from, to, depth + 1);
      return out;
    }
    case 'clone':
      return cloneOrThrow(value);
  }
}

/** DeepFreeze (cc 761–763). */
export function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (
    value === null ||
    (typeof value !== 'object' && typeof value !== 'function') ||
    seen.has(value)
  )
    return value;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value; // typed arrays with elements cannot be frozen
  for (const key of Object.keys(value as object))
    deepFreeze((value as Record<string, unknown>)[key], seen);
  return Object.freeze(value);
}

/** `exposeInMainWorld` onto `target` (a page's window), copying from `from` into `to`. */
export function exposeOnto(
  target: Record<string, unknown>,
  key: string,
  api: unknown,
  from: World,
  to: World,
): void {
  if (Object.hasOwn(target, key))
    throw new Error('Cannot bind an API on top of an existing property on the window object');
  const copied = deepFreeze(crossWorlds(api, from, to));
  Object.defineProperty(target, key, {
    value: copied,
    writable: false,
    configurable: false,
    enumerable: true,
  });
}
