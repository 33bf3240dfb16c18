// The scrubbing rules measured on their own: planted secrets that survive and ordinary messages that change
// (test/fixtures/scrub-corpus.json), the time of large inputs at 1x and 2x size (linear growth), and the cost of
// scrubbing a typical server span's attributes. Run after `npm run build`:
//   node bench/redaction.mjs [--dist=dist] [--compare=/path/to/older/dist]
// `--dist` measures another build; `--compare` adds an older build's span cost, measured in turns with this one
// (the machine is shared: interleaving keeps both under the same load).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const option = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const load = async (dist) =>
  (await import(pathToFileURL(`${resolve(dist)}/src/telemetry/redaction.js`).href)).createRedactor;
const createRedactor = await load(option('dist') ?? 'dist');
// Another build (a copy of an older dist/) whose span cost is measured interleaved with this one's.
const compareDist = option('compare');
const createBaseline = compareDist === undefined ? undefined : await load(compareDist);
const corpus = JSON.parse(readFileSync(new URL('../test/fixtures/scrub-corpus.json', import.meta.url), 'utf8'));

const config = { sentry: { debug: false, sendDefaultPii: false, trackSessions: false, ignoreErrors: [] } };
const fresh = () => createRedactor(config);

// Corpus counts.
const leaked = corpus.planted.filter(({ secret, text }) => fresh().scrubString(text).includes(secret));
const changed = corpus.ordinary.filter((text) => fresh().scrubString(text) !== text);
console.log(
  `planted secrets leaked: ${leaked.length} of ${corpus.planted.length}${leaked.length > 0 ? ` (${leaked.map((p) => p.name).join(', ')})` : ''}`,
);
console.log(
  `ordinary messages changed: ${changed.length} of ${corpus.ordinary.length}${changed.length > 0 ? ` (${changed.map((t) => JSON.stringify(t)).join('; ')})` : ''}`,
);

/**
 * Median of `runs` timings of `fn`, in ms of CPU time: on a shared machine the process is often descheduled in
 * the middle of a run, which wall time would count.
 */
function time(fn, runs = 7) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const repeatTo = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const ordinaryText = `${corpus.ordinary.join(' ')} `;
const plantedText = `${corpus.planted.map((p) => p.text).join(' ')} `;
// Shapes that would make a backtracking rule super-linear: runs of what each rule starts on, never completed.
const texts = {
  'ordinary messages': ordinaryText,
  'planted secrets': plantedText,
  'digits and spaces': '1 2 3 4 5 6 7 8 9 0 ',
  'digit run': '1234567890',
  'plus and digits': '+1 22 333 ',
  'phone-shaped runs': '+1 22 333 4444 55555 ',
  'BEGIN without END': '-----BEGIN PRIVATE KEY-----\nabc\n',
  'password: no value': 'password:\n',
  'password: "unclosed': `password: "${'x'.repeat(1000)}`,
  'password is (prose)': 'my password is not ',
  'AWS-like ids': 'AKIA1234567890ABCDE ',
  'IBAN-like': 'GB82 WEST 1234 ',
  parentheses: '(((((1)))))-',
  'percent-encoded text': 'q=card%20number%204111%201111%20',
  'email-like words': 'a@b word.word.word ',
};

console.log('\nlarge messages, scrubString (median CPU ms of 7 runs; linear growth gives 800/200 near 4):');
for (const [name, unit] of Object.entries(texts)) {
  const row = [200_000, 400_000, 800_000].map((size) => {
    const text = repeatTo(unit, size);
    const redactor = fresh();
    return time(() => redactor.scrubString(text));
  });
  console.log(
    `  ${name.padEnd(22)} 200 KB ${row[0].toFixed(1).padStart(6)}   400 KB ${row[1].toFixed(1).padStart(6)}   800 KB ${row[2].toFixed(1).padStart(6)}   800/200 ${(row[2] / row[0]).toFixed(2)}`,
  );
}

console.log('\nlarge arrays, scrubValue of { items: [...] } (distinct strings, median CPU ms of 7 runs):');
for (const [name, pick] of [
  ['ordinary messages', (i) => `${corpus.ordinary[i % corpus.ordinary.length]} #${i}`],
  ['planted secrets', (i) => `${corpus.planted[i % corpus.planted.length].text} #${i}`],
]) {
  // 10,000 nodes is the walk's budget per value, so 10,000 strings is the largest array scrubbed whole.
  const row = [2_500, 5_000, 10_000].map((count) => {
    const items = Array.from({ length: count }, (_, i) => pick(i));
    return time(() => fresh().scrubValue({ items }, 'extra'));
  });
  console.log(
    `  ${name.padEnd(22)} 2,500 ${row[0].toFixed(1).padStart(6)}   5,000 ${row[1].toFixed(1).padStart(6)}   10,000 ${row[2].toFixed(1).padStart(6)}   10,000/2,500 ${(row[2] / row[0]).toFixed(2)}`,
  );
}

// A server span of the support service, as the exporter sees it: most values repeat from request to request, the
// URL, ticket and request ids do not.
function spanAttributes(i) {
  return {
    'http.request.method': 'POST',
    'url.full': `http://127.0.0.1:3000/api/tickets/${48_000 + i}/messages?page=2`,
    'url.path': `/api/tickets/${48_000 + i}/messages`,
    'url.query': 'page=2',
    'url.scheme': 'http',
    'http.route': '/api/tickets/:id/messages',
    'http.response.status_code': 200,
    'server.address': '127.0.0.1',
    'server.port': 3000,
    'network.peer.address': '127.0.0.1',
    'network.protocol.version': '1.1',
    'user_agent.original': 'support-client/2.3.1 (node 20.19.1)',
    'http.request.header.content-type': ['application/json'],
    'enduser.id': 'user_17',
    'tenant.id': 'empresa_001',
    'support.ticket_id': `TCK-2026-${String(i).padStart(6, '0')}`,
    'support.request_id': `req-${(0x10000000 + i).toString(16)}`,
    'user.roles': ['agent', 'admin'],
  };
}
const SPANS = 20_000;
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
// Two mixes: every span brings four values not seen before (URL, path, ticket and request ids: the memory of
// scrubbed values misses on them), and a steady state where the same 50 requests repeat (every value remembered).
for (const [mix, pick] of [
  ['4 new values per span', (i) => i],
  ['values repeating (50 requests)', (i) => i % 50],
]) {
  const spans = Array.from({ length: SPANS }, (_, i) => spanAttributes(pick(i)));
  const measureSpans = (create) => () => {
    const redactor = create(config);
    for (let round = 0; round < 2; round++) for (const attributes of spans) redactor.scrubAttributes(attributes);
  };
  const builds = [['this build', measureSpans(createRedactor)]];
  if (createBaseline !== undefined) builds.push([`--compare ${compareDist}`, measureSpans(createBaseline)]);
  for (let warm = 0; warm < 3; warm++) for (const [, run] of builds) run();
  const samples = builds.map(() => []);
  // CPU time, not wall time: on a shared machine the process is often descheduled in the middle of a turn.
  const cpuMs = (run) => {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (let turn = 0; turn < 15; turn++) builds.forEach(([, run], index) => samples[index].push(cpuMs(run)));
  console.log(`\ntypical server span (18 attributes), ${mix}, median CPU time of 15 turns of ${SPANS * 2} spans:`);
  builds.forEach(([name], index) =>
    console.log(`  ${name.padEnd(40)} ${((median(samples[index]) * 1e6) / (SPANS * 2)).toFixed(0)} ns per span`),
  );
}
