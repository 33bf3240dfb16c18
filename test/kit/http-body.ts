import type { IncomingMessage } from 'node:http';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';

/** Reads a request body completely and undoes its Content-Encoding (gzip, deflate, br). */
export async function readBody(req: IncomingMessage): Promise<{ raw: Buffer; body: Buffer; encoding?: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = req.headers['content-encoding']?.toLowerCase().trim();
  switch (encoding) {
    case undefined:
    case '':
    case 'identity':
      return { raw, body: raw };
    case 'gzip':
    case 'x-gzip':
      return { raw, body: gunzipSync(raw), encoding };
    case 'deflate':
      return { raw, body: inflateSync(raw), encoding };
    case 'br':
      return { raw, body: brotliDecompressSync(raw), encoding };
    default:
      throw new UnsupportedEncodingError(encoding);
  }
}

export class UnsupportedEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`unsupported content-encoding: ${encoding}`);
  }
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
