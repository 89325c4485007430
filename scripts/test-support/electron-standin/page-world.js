// The page's side of the stand-in contextBridge: runs in the real page in Chromium as an init
// script (before any page script, on every load), with the exposed API's shape as `init`.
// Plain JavaScript on purpose: it is sent to the browser as text, untouched by a transpiler.
//
// It does what Electron does in the main world (shell/renderer/api/electron_api_context_bridge.cc
// ExposeAPI 733–766): defines each exposed key on window, read-only, non-configurable, deeply
// frozen; functions are proxies into the preload's world (here: a Playwright binding to the
// stand-in main process), arguments and results copied by the bridge's rules. One difference,
// named: a proxied function always returns a Promise here (the call crosses to another
// process); the app's bridge functions return nothing or a Promise, so the page sees the same.
// It also delivers the preload's window.postMessage(…, '*', [port]) as a `message` event with
// `source === window` and a real MessagePort (docs/tutorial/message-ports.md 350–364).
(function standinPageWorld(init) {
  'use strict';
  // the preload runs in the main frame only (nodeIntegrationInSubFrames: false)
  if (window !== window.top) return;
  const call = window.__kvsStandinCall;
  const portOut = window.__kvsStandinPortOut;
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const pageFns = new Map();
  let nextFn = 1;
  const ports = new Map();

  function isPlainObject(v) {
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  }

  function encode(v, depth) {
    if (depth >= 1000) throw new TypeError('Electron contextBridge recursion depth exceeded.');
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function') {
        const id = nextFn++;
        pageFns.set(id, v);
        return { k: 'fn', id };
      }
      if (typeof v === 'symbol' || typeof v === 'bigint')
        throw new Error('the stand-in cannot carry a symbol or bigint');
      return { k: 'v', v };
    }
    if (v instanceof Error) return { k: 'err', message: String(v.message) };
    if (Array.isArray(v)) return { k: 'arr', items: v.map((x) => encode(x, depth + 1)) };
    if (isPlainObject(v))
      return { k: 'obj', entries: Object.keys(v).map((key) => [key, encode(v[key], depth + 1)]) };
    return { k: 'v', v: structuredClone(v) };
  }

  function decode(e) {
    switch (e.k) {
      case 'v':
        return e.v;
      case 'err':
        return new Error(e.message);
      case 'arr':
        return e.items.map(decode);
      case 'obj': {
        const o = {};
        for (const [k, v] of e.entries) o[k] = decode(v);
        return o;
      }
      case 'fn':
        throw new Error('the stand-in does not return functions to the page');
      default:
        throw new Error('unknown value from the stand-in');
    }
  }

  function proxy(path) {
    return function proxiedBridgeFunction(...args) {
      let encoded;
      try {
        encoded = args.map((a) => encode(a, 0));
      } catch (err) {
        return Promise.reject(new Error(err.message));
      }
      return call(token, path, encoded).then((r) =>
        r.ok ? decode(r.value) : Promise.reject(new Error(r.error)),
      );
    };
  }

  function build(shape, path) {
    if (shape.fn) return proxy(path);
    if ('value' in shape) return shape.value;
    const o = {};
    for (const key of Object.keys(shape.obj)) o[key] = build(shape.obj[key], path.concat(key));
    return o;
  }

  function deepFreeze(v) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || ArrayBuffer.isView(v))
      return v;
    for (const key of Object.keys(v)) deepFreeze(v[key]);
    return Object.freeze(v);
  }

  for (const key of Object.keys(init.exposed)) {
    if (Object.prototype.hasOwnProperty.call(window, key))
      throw new Error('Cannot bind an API on top of an existing property on the window object');
    Object.defineProperty(window, key, {
      value: deepFreeze(build(init.exposed[key], [key])),
      writable: false,
      configurable: false,
      enumerable: true,
    });
  }

  Object.defineProperty(window, '__kvsStandinPage', {
    value: Object.freeze({
      token,
      callFn(id, args) {
        const fn = pageFns.get(id);
        if (fn) fn(...args.map(decode));
      },
      windowMessage(data, portIds) {
        const transferred = portIds.map((id) => {
          const channel = new MessageChannel();
          ports.set(id, channel.port2);
          channel.port2.onmessage = (e) => portOut(id, e.data);
          return channel.port1;
        });
        window.dispatchEvent(
          new MessageEvent('message', {
            data,
            source: window,
            origin: location.origin,
            ports: transferred,
          }),
        );
      },
      portIn(id, data) {
        const port = ports.get(id);
        if (port) port.postMessage(data);
      },
    }),
  });
});
