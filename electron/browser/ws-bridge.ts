/**
 * The contract over one WebSocket per page (`/ws`, electron/shared/ws-protocol.ts): calls in,
 * replies and events out, and binary frame packets to the page that started the viewer. Each
 * socket is a client of the app services: when it closes, its viewers stop (its produce jobs go on — a
 * socket also drops when the network blinks, and their events reach every page). Upgrades are
 * refused without the token, with a foreign Host or Origin; a heartbeat ends dead sockets.
 */
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { isCameraPacket } from '../shared/camera-packet.js';
import { ClientMessage, WS_PATH, type ServerMessage } from '../shared/ws-protocol.js';
import type { AppServices } from '../services/app-services.js';
import { FORBIDDEN_MESSAGE, type Access } from './access.js';

/**
 * The largest message from the page: above every call's own limits in the contract (the largest is
 * profiles:import, at most 6 files of 1 MiB base64 each), so an oversized argument is refused by its
 * schema with a message, not by closing the socket.
 */
const WS_MAX_PAYLOAD = 8 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export interface WsBridge {
  stats(): { ignoredMessages: number; sockets: number };
  /** Stop the heartbeat and the app services' listeners; close every socket (1001) and the socket server. */
  close(): Promise<void>;
  /** Stop the heartbeat only (the server did not start). */
  stopHeartbeat(): void;
}

export function createWsBridge(
  server: http.Server,
  service: AppServices,
  access: Access,
): WsBridge {
  const { hostAllowed, authorized, originMatchesHost } = access;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const sockets = new Map<string, WebSocket>();
  const alive = new WeakSet<WebSocket>();
  let ignoredMessages = 0;
  let nextClient = 1;

  const refuseUpgrade = (socket: Socket, status: number, text: string): void => {
    const body = `${text}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // refused below
    }
    if (pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found.');
    if (!hostAllowed(req.headers.host))
      return refuseUpgrade(socket, 403, 'Forbidden: unexpected Host header.');
    if (!authorized(req)) return refuseUpgrade(socket, 403, FORBIDDEN_MESSAGE);
    if (!originMatchesHost(req))
      return refuseUpgrade(socket, 403, 'Forbidden: the page is not from this server (Origin).');
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };

  function onSocket(ws: WebSocket): void {
    const client = `ws-${nextClient++}`;
    sockets.set(client, ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      sockets.delete(client);
      // its viewers stop; its jobs go on (a socket also drops when the network blinks)
      void service.releaseClient(client, { jobs: false });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        // the page's camera frames (camera-packet.ts): parsed and checked by the app services;
        // any other binary message is ignored
        const bytes = rawToBuffer(data);
        if (isCameraPacket(bytes)) service.cameraFrame(bytes, client);
        else ignoredMessages++;
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(rawToBuffer(data).toString('utf8'));
      } catch {
        ignoredMessages++;
        return;
      }
      const parsed = ClientMessage.safeParse(json);
      if (!parsed.success) {
        ignoredMessages++;
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'frame-ack') {
        service.ackFrame(msg.viewerId, client);
        return;
      }
      void service.handle(msg.channel, msg.args, { client }).then((reply) => {
        send(
          ws,
          reply.ok
            ? { type: 'reply', id: msg.id, ok: true, result: reply.result }
            : { type: 'reply', id: msg.id, ok: false, error: reply.error },
        );
      });
    });
  }

  const offEvent = service.onEvent((channel, payload) => {
    const text = JSON.stringify({ type: 'event', channel, payload } satisfies ServerMessage);
    for (const ws of sockets.values()) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  });
  const offFrame = service.onFrame((_viewerId, packet, client) => {
    const ws = client === null ? undefined : sockets.get(client);
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(packet, { binary: true });
    return true;
  });

  const heartbeat = setInterval(() => {
    for (const ws of sockets.values()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    stats: () => ({ ignoredMessages, sockets: sockets.size }),
    stopHeartbeat: () => clearInterval(heartbeat),
    async close() {
      clearInterval(heartbeat);
      offEvent();
      offFrame();
      await Promise.all(
        [...sockets.values()].map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === WebSocket.CLOSED) return resolve();
              const timer = setTimeout(() => {
                ws.terminate();
                resolve();
              }, 1000);
              ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              ws.close(1001, 'The server is shutting down.');
            }),
        ),
      );
      wss.close();
    },
  };
}
