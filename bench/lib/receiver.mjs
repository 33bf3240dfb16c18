// A span sink for the benchmarks: an OTLP/HTTP receiver (protobuf or JSON, gzip or not) and a fake Sentry
// (envelope and OTLP endpoints) on one loopback port. It only counts spans, with a hand-rolled protobuf walk
// instead of a full decode, so the receiver costs the pinned load-generator core as little as possible.
// A second port takes control requests (stats, faults), so it stays reachable while the sink is "down".
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

const counts = {
  spans: 0,
  otlpSpans: 0,
  sentryOtlpSpans: 0,
  sentryEnvelopeSpans: 0,
  envelopes: 0,
  profileChunks: 0,
  requests: 0,
  errors: 0,
  byTag: {},
};
/** Spans per sender: a sender pointed at `/c/<tag>/...` (bench/lib/setups.mjs `at`) is counted apart. */
const TAG = /^\/c\/([^/]+)\//;

function readVarint(buf, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
    shift += 7;
  }
}

/** Calls `onField(field, start, end)` for each length-delimited field of the message in buf[start, end). */
function eachLengthField(buf, start, end, onField) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const wire = key & 7;
    if (wire === 0) [, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      onField(key >>> 3, pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** ExportTraceServiceRequest.resource_spans(1) -> ScopeSpans(2) -> Span(2). */
function countProtobufSpans(buf) {
  let n = 0;
  eachLengthField(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachLengthField(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachLengthField(buf, s2, e2, (f3) => {
        if (f3 === 2) n++;
      });
    });
  });
  return n;
}

function countJsonSpans(text) {
  const body = JSON.parse(text);
  let n = 0;
  for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += (ss.spans ?? []).length;
  return n;
}

/** Sentry envelope: a transaction item is one span plus its child spans; a span item holds item_count spans. */
function countEnvelopeSpans(buf) {
  let pos = buf.indexOf(10);
  if (pos < 0) return 0;
  pos++;
  let n = 0;
  while (pos < buf.length) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) nl = buf.length;
    const header = JSON.parse(buf.subarray(pos, nl).toString('utf8') || '{}');
    pos = nl + 1;
    let end;
    if (typeof header.length === 'number') end = pos + header.length;
    else {
      end = buf.indexOf(10, pos);
      if (end < 0) end = buf.length;
    }
    if (header.type === 'transaction') {
      const item = JSON.parse(buf.subarray(pos, end).toString('utf8'));
      n += 1 + (item.spans?.length ?? 0);
    } else if (header.type === 'profile_chunk') {
      counts.profileChunks++;
    } else if (header.type === 'span') {
      // Sentry v11 streams spans: one item holds `item_count` spans.
      n +=
        typeof header.item_count === 'number'
          ? header.item_count
          : (JSON.parse(buf.subarray(pos, end).toString('utf8')).items?.length ?? 1);
    }
    pos = end + 1;
  }
  return n;
}

/** Set by `/delay?ms=N`: every answer waits N ms, the round trip to a remote backend that loopback hides. */
let answerDelayMs = 0;

function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    counts.requests++;
    try {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const url = req.url ?? '';
      if (process.env.RECEIVER_DEBUG)
        process.stderr.write(
          `${req.method} ${url} ${req.headers['content-type']} ${body.length}\n${process.env.RECEIVER_DEBUG === 'full' ? body : body.subarray(0, 300)}\n`,
        );
      let n = 0;
      if (url.includes('/envelope')) {
        counts.envelopes++;
        n = countEnvelopeSpans(body);
        counts.sentryEnvelopeSpans += n;
        counts.spans += n;
      } else if (url.includes('traces')) {
        const json = (req.headers['content-type'] ?? '').includes('json');
        n = json ? countJsonSpans(body.toString('utf8')) : countProtobufSpans(body);
        if (url.includes('/integration/otlp/')) counts.sentryOtlpSpans += n;
        else counts.otlpSpans += n;
        counts.spans += n;
      }
      const tag = TAG.exec(url)?.[1];
      if (tag) counts.byTag[tag] = (counts.byTag[tag] ?? 0) + n;
      // An empty ExportTraceServiceResponse: '{}' would make the protobuf exporter log a decode error per export.
      const json = (req.headers['content-type'] ?? '').includes('json') || url.includes('/envelope');
      const answer = () => {
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      };
      if (answerDelayMs > 0) setTimeout(answer, answerDelayMs);
      else answer();
    } catch (error) {
      counts.errors++;
      res.writeHead(400);
      res.end(String(error));
    }
  });
}

const sink = createServer({ keepAliveTimeout: 60_000 }, handle);
const sockets = new Set();
sink.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
let sinkPort = Number(process.env.RECEIVER_PORT ?? 0);

function listen() {
  return new Promise((resolve) =>
    sink.listen(sinkPort, '127.0.0.1', () => {
      sinkPort = sink.address().port;
      resolve();
    }),
  );
}

const control = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/stats') {
    res.end(JSON.stringify({ ...counts, down: !sink.listening }));
  } else if (url.pathname === '/down') {
    // Refuse new connections and cut keep-alive ones, like a crashed collector.
    sink.close();
    for (const s of sockets) s.destroy();
    res.end('{}');
  } else if (url.pathname === '/delay') {
    answerDelayMs = Number(url.searchParams.get('ms') ?? 0);
    res.end('{}');
  } else if (url.pathname === '/up') {
    if (!sink.listening) await listen();
    res.end('{}');
  } else {
    res.writeHead(404);
    res.end();
  }
});

await listen();
control.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ sinkPort, controlPort: control.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
