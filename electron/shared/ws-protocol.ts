/**
 * The browser transport's wire protocol (`kvs serve`): the same contract as
 * Electron's IPC, carried over one WebSocket.
 *
 * Page → host (text, JSON):
 *   { "type": "invoke", "id": N, "channel": InvokeChannel, "args": … }
 *   { "type": "frame-ack", "viewerId": "…" }   — sent after a frame is drawn (flow control)
 * Services → page (text, JSON):
 *   { "type": "reply", "id": N, "ok": true, "result": … } | { …, "ok": false, "error": ErrorPayload }
 *   { "type": "event", "channel": EventChannel, "payload": … }
 * Services → page (binary): one frame packet (frame-packet.ts).
 *
 * Auth: `kvs serve` prints http://127.0.0.1:PORT/?token=T. GET /?token=T sets an
 * HttpOnly SameSite=Strict cookie; every other request (assets, /ws, /upload)
 * needs that cookie or the `x-kvs-token` header; the WebSocket also checks Origin.
 *
 * Upload (browser file picker): POST /upload?name=<file name> with the raw file
 * as the body → 200 { "videoId", "name", "sizeBytes" } (a VideoRef).
 */
import { z } from 'zod';
import { ErrorPayload } from './contract.js';

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    channel: z.string().max(64),
    args: z.unknown(),
  }),
  z.object({ type: z.literal('frame-ack'), viewerId: z.string().max(64) }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// a plain union: two members share type 'reply' (told apart by `ok`)
export const ServerMessage = z.union([
  z.object({ type: z.literal('reply'), id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.number(), ok: z.literal(false), error: ErrorPayload }),
  z.object({ type: z.literal('event'), channel: z.string(), payload: z.unknown() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export const TOKEN_COOKIE = 'kvs_token';
export const TOKEN_HEADER = 'x-kvs-token';
export const WS_PATH = '/ws';
export const UPLOAD_PATH = '/upload';
