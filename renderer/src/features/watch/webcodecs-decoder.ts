/**
 * The real H.264 decoders: WebCodecs `VideoDecoder`, behind the small interface the H.264 path
 * uses (h264-decoder-port.ts). Annex B input (no `description`), `optimizeForLatency: true`.
 * WebCodecs exists only in a secure context (http://127.0.0.1, Electron's file:// page); where it
 * is missing every codec is unsupported, and the viewer says so.
 */
import type { H264Decoder, H264DecoderFactory } from './h264-decoder-port.js';

function config(codec: string): VideoDecoderConfig {
  return { codec, optimizeForLatency: true };
}

function available(): boolean {
  return typeof VideoDecoder !== 'undefined' && typeof EncodedVideoChunk !== 'undefined';
}

export function webCodecsDecoders(): H264DecoderFactory<VideoFrame> {
  return {
    async supports(codec) {
      if (!available()) return false;
      try {
        const answer = await VideoDecoder.isConfigSupported(config(codec));
        return answer.supported === true;
      } catch {
        return false; // a malformed codec string
      }
    },
    create(handlers): H264Decoder {
      const decoder = new VideoDecoder({ output: handlers.output, error: handlers.error });
      decoder.addEventListener('dequeue', handlers.dequeue);
      return {
        get queueSize() {
          return decoder.decodeQueueSize;
        },
        configure(codec) {
          decoder.configure(config(codec));
        },
        decode(chunk) {
          decoder.decode(new EncodedVideoChunk(chunk));
        },
        close() {
          decoder.removeEventListener('dequeue', handlers.dequeue);
          if (decoder.state !== 'closed') decoder.close();
        },
      };
    },
  };
}
