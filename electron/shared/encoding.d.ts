/**
 * The WHATWG Encoding API, a global in both runtimes electron/shared runs in (browsers; Node ≥ 11).
 * Declared here, and only for tsconfig.shared.json, so that shared code may use it without the
 * DOM's or Node's whole type library (the other configs get it from theirs).
 */
interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
// eslint-disable-next-line no-var -- a global of the runtime, declared as lib.dom.d.ts does
declare var TextEncoder: { new (): TextEncoder };
// eslint-disable-next-line no-var -- as above
declare var TextDecoder: { new (label?: string): TextDecoder };
