// A corpus of secrets driven through the support service and a fixture under the bootstrap (spans, events and
// log records alike): request headers
// (API key, bearer token, cookie), the query string, URL credentials (in a webhook URL, which fetch refuses with
// an error quoting it), a foreign DSN, OpenAI keys, emails (PII off), secrets in request bodies and prompts, and a
// model error that quotes the prompt back. None may appear in any payload the fake Sentry or the collector
// receives: raw request bodies, decompressed, read by a recording proxy in front of each, not only decoded spans.
// GenAI content (prompt, answer, retrieval query) stays out by default.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  fixturePath,
  request,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
} from '../kit/index.js';
import { startFakeWebhook } from '../fixtures/webhook-server.js';
import { ANSWER_MARKER, ECHO_TRIGGER, startSecurityModel } from '../fixtures/security-openai-server.js';
import { startRecordingProxy, type RecordingProxy } from '../fixtures/security-recording-proxy.js';
import { KEY_001, ingest } from './support-helpers.js';
import { startSupportService } from './security-support.js';

useKitCleanup();

const SECRET = {
  apiKeyHeader: KEY_001,
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWN1cml0eS1jb3JwdXMifQ.c2VjdXJpdHktY29ycHVzLXNpZ25hdHVyZQ',
  cookie: 'c0rpus-c00kie-v4lue-7781',
  setCookie: 'm0del-set-c00kie-v4lue-5512',
  urlUser: 'hookuser7781',
  urlPassword: 'h00kp4ssw0rd-7781',
  foreignDsnKey: '5ecre7d5nk3y77815ecre7d5nk3y7781',
  openAiKey: 'sk-proj-C0rpusOpenAiKeyConfigured7781',
  promptOpenAiKey: 'sk-live-Pr0mptPastedKey0000007781',
  email: 'jane.corpus7781@pii.example',
  bodyPassword: 'b0dy-p4ssw0rd-7781',
  metadataApiKey: 'm3tadata-api-k3y-7781',
  queryToken: 'qu3ry-t0k3n-7781',
} as const;

// Prose markers: not secrets, so the scrubbing rules keep them; they must be absent because content is off.
const PROMPT_MARKER = 'Zebra-quartz-prompt-4417';
const SECRET_TEXT =
  `${PROMPT_MARKER}: I need a refund. My login is ${SECRET.email}, password=${SECRET.bodyPassword}, and our ` +
  `bot key is ${SECRET.promptOpenAiKey}; errors go to https://${SECRET.foreignDsnKey}@o99.ingest.sentry.io/77`;

const variants = (secret: string): string[] => [
  ...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]),
];

function expectAbsent(proxy: RecordingProxy, needle: string, where: string): void {
  const dump = proxy.dump();
  for (const form of variants(needle)) {
    const at = dump.indexOf(form);
    expect(at === -1 ? '' : dump.slice(Math.max(0, at - 160), at + 60), `${where} carries ${needle}`).toBe('');
  }
}

describe('secrets never leave the process', () => {
  it(
    'no corpus secret in any raw payload at the fake Sentry or the collector; GenAI content absent',
    { timeout: 90_000 },
    async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const collector = closeAfterTest(await startOtlpReceiver());
      const sentryProxy = closeAfterTest(await startRecordingProxy(sentry.url));
      const collectorProxy = closeAfterTest(await startRecordingProxy(collector.url));
      const model = closeAfterTest(await startSecurityModel(SECRET.setCookie));
      const webhook = closeAfterTest(await startFakeWebhook());
      const dsn = sentry.dsn.replace(`:${sentry.port}/`, `:${sentryProxy.port}/`);
      const telemetry = {
        SENTRY_DSN: dsn,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorProxy.url,
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        SENTRY_TRACES_SAMPLE_RATE: '1',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      };
      const hook = new URL(webhook.url);
      const app = await startSupportService({
        ...telemetry,
        OPENAI_API_KEY: SECRET.openAiKey,
        OPENAI_BASE_URL: model.baseUrl,
        OPENAI_MAX_RETRIES: '0',
        // fetch refuses a URL with credentials, and its error message quotes the URL.
        ESCALATION_WEBHOOK_URL: `http://${SECRET.urlUser}:${SECRET.urlPassword}@${hook.host}${hook.pathname}`,
      });
      const helpdesk = await startApp('test/fixtures/security-downstream-app.mjs', {
        env: { ...telemetry, OTEL_SERVICE_NAME: 'helpdesk' },
      });

      const headers = { authorization: `Bearer ${SECRET.bearer}`, cookie: `sid=${SECRET.cookie}; theme=dark` };
      const answered = await request(
        `${app.url}/api/ingest-message?api_key=${SECRET.queryToken}&token=${SECRET.queryToken}`,
        {
          method: 'POST',
          headers: { ...headers, 'x-api-key': KEY_001 },
          body: {
            channel: 'email',
            text: SECRET_TEXT,
            external_user_id: SECRET.email,
            metadata: {
              api_key: SECRET.metadataApiKey,
              password: SECRET.bodyPassword,
              note: `reach me at ${SECRET.email}`,
            },
          },
        },
      );
      expect(answered.status, answered.text).toBe(200);
      // The second prompt makes the model answer 400 quoting it back; the service captures that error.
      const echoed = await ingest(app, KEY_001, {
        channel: 'web',
        text: `${ECHO_TRIGGER} ${SECRET_TEXT.replace(PROMPT_MARKER, 'second')}`,
        external_user_id: 'web-echo',
      });
      expect(echoed.status, echoed.text).toBe(200);
      expect(echoed.json).toMatchObject({ escalated: true });
      // A request with a bad API key: answered 401, its headers still seen by the layer.
      expect(
        (await ingest(app, `${KEY_001}-wrong`, { channel: 'web', text: 'hi', external_user_id: 'x' })).status,
      ).toBe(401);
      // The fixture under the bootstrap gets the same headers, query and body.
      const toHelpdesk = await request(`${helpdesk.url}/hook?password=${SECRET.queryToken}&email=${SECRET.email}`, {
        method: 'POST',
        headers,
        body: { password: SECRET.bodyPassword, text: SECRET_TEXT },
      });
      expect(toHelpdesk.status).toBe(202);
      expect(model.requests).toHaveLength(2);
      expect(model.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET.openAiKey}`);

      // Everything has arrived: the model failure and both escalation failures at Sentry, the spans at both.
      await sentry.waitForEvents((e) => e.tags?.operation === 'completion', 20_000);
      await sentry.waitForEvents((e) => e.message === 'escalation_failed', 20_000, 2);
      await collector.waitForSpans((s) => s.kindName === 'server' && s.resource['service.name'] === 'helpdesk', 20_000);
      await collector.waitForSpans((s) => s.name === 'execute_tool escalate_to_helpdesk', 20_000, 2);
      await collector.waitForSpans(
        (s) => s.kindName === 'server' && s.attributes['http.response.status_code'] === 401,
        20_000,
      );
      await sentry.waitForSpans((s) => s.name === 'execute_tool escalate_to_helpdesk', 20_000, 2);
      // The log records too (TELEMETRY_LOGS defaults to info): the start-up line that prints the development API
      // keys, and the requests' business events, through the same scrubbing.
      const [keysAtCollector] = await collector.waitForLogs(
        (r) => String(r.body).startsWith('Development API keys'),
        20_000,
      );
      const [keysAtSentry] = await sentry.waitForLogs((i) => i.body.startsWith('Development API keys'), 20_000);
      for (const body of [String(keysAtCollector!.body), keysAtSentry!.body])
        expect(body).toContain('X-API-Key [Filtered]');
      await collector.waitForLogs((r) => String(r.body).startsWith('business event'), 20_000, 2);
      await sentry.waitForLogs((i) => i.body.startsWith('business event'), 20_000, 2);
      expect(collectorProxy.payloads.some((p) => p.path === '/v1/logs')).toBe(true);

      // The paths were exercised: the error quoting the URL and the prompt arrived, scrubbed.
      const failures = sentry.events
        .filter((e) => e.message === 'escalation_failed')
        .map((e) => JSON.stringify(e.extra));
      expect(failures.join()).toContain('includes credentials');
      const modelError = sentry.events.find((e) => e.tags?.operation === 'completion');
      expect(modelError?.exception?.values?.[0]?.value).toContain('Invalid prompt');
      expect(collectorProxy.payloads.some((p) => p.headers['content-encoding'] === 'gzip')).toBe(true);
      expect(sentryProxy.payloads.some((p) => p.path.includes('/envelope/'))).toBe(true);
      expect(sentryProxy.payloads.some((p) => p.path.includes('/otlp/'))).toBe(true);

      for (const [name, secret] of Object.entries(SECRET)) {
        expectAbsent(sentryProxy, secret, `Sentry (${name})`);
        expectAbsent(collectorProxy, secret, `the collector (${name})`);
      }
      // The DSN's own key authenticates envelopes (Sentry needs it there), but never rides in spans.
      expectAbsent(collectorProxy, sentry.publicKey, 'the collector (DSN key)');
      // GenAI content is off: the first prompt (the retrieval query too) and the model's answer are nowhere.
      for (const content of [PROMPT_MARKER, ANSWER_MARKER.split(' ')[0]!]) {
        expectAbsent(sentryProxy, content, 'Sentry (GenAI content)');
        expectAbsent(collectorProxy, content, 'the collector (GenAI content)');
      }
    },
  );
});

interface Planted {
  name: string;
  secret: string;
  text: string;
}
const corpus = JSON.parse(readFileSync(new URL('../fixtures/scrub-corpus.json', import.meta.url), 'utf8')) as {
  planted: Planted[];
  ordinary: string[];
};
// Added by the config module test/fixtures/config/scrub-rules.config.mjs, on top of the defaults.
const USER_RULES: Planted[] = [
  { name: 'user_pattern_string', secret: 'ACME-INTERNAL-7781', text: 'see ACME-INTERNAL-7781 for the runbook' },
  { name: 'user_pattern_regex', secret: 'EMP-448812', text: 'escalated by EMP-448812' },
];
/** Under key names only: values short enough to occur elsewhere, so the check is for the key next to its value. */
const KEYED = { cvv: '4821', card: 'Visa ending 4242, exp 09/28', employee_ref: 'ER-7781-corpus' };

describe('the scrubbing corpus over the real wire', () => {
  it(
    'no planted secret reaches Sentry or the collector, in any channel, with GenAI content on; ordinary messages arrive unchanged',
    { timeout: 90_000 },
    async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const collector = closeAfterTest(await startOtlpReceiver());
      const sentryProxy = closeAfterTest(await startRecordingProxy(sentry.url));
      const collectorProxy = closeAfterTest(await startRecordingProxy(collector.url));
      const app = await startApp('test/fixtures/security-corpus-app.mjs', {
        env: {
          SENTRY_DSN: sentry.dsn.replace(`:${sentry.port}/`, `:${sentryProxy.port}/`),
          TELEMETRY_EXPORTERS: 'sentry,otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: collectorProxy.url,
          SENTRY_TRACES_SAMPLE_RATE: '1',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          TELEMETRY_CAPTURE_GENAI_CONTENT: 'true',
          TELEMETRY_CONFIG: fixturePath('test/fixtures/config/scrub-rules.config.mjs'),
        },
      });
      const planted = [...corpus.planted, ...USER_RULES];
      const answered = await request(`${app.url}/plant?card=4012888888881881`, {
        method: 'POST',
        body: { planted: planted.map(({ name, text }) => ({ name, text })), ordinary: corpus.ordinary, extra: KEYED },
      });
      expect(answered.status, answered.text).toBe(200);

      await sentry.waitForEvents((e) => e.message === 'corpus done', 30_000);
      await sentry.waitForEvents((e) => e.tags?.corpus !== undefined, 30_000, planted.length);
      await collector.waitForSpans((s) => s.name.startsWith('ordinary '), 30_000, corpus.ordinary.length);
      await collector.waitForSpans((s) => s.kindName === 'server' && s.attributes['url.path'] === '/plant', 30_000);
      await collector.waitForSpans(
        (s) => s.name.startsWith('retrieval '),
        30_000,
        planted.length + corpus.ordinary.length,
      );
      await collector.waitForSpans(
        (s) => s.kindName === 'client' && String(s.attributes['url.full']).includes('/sink'),
        30_000,
        planted.length,
      );
      await sentry.waitForSpans((s) => s.name.startsWith('ordinary '), 30_000, corpus.ordinary.length);
      // The log records too (a console line and a logs API record per planted text), at both.
      const corpusRecord = (body: unknown, name: unknown): boolean =>
        String(body).startsWith('corpus ') || name !== undefined;
      await collector.waitForLogs((r) => corpusRecord(r.body, r.attributes['corpus.name']), 30_000, 2 * planted.length);
      await sentry.waitForLogs((i) => corpusRecord(i.body, i.attributes?.['corpus.name']), 30_000, 2 * planted.length);

      // The channels were exercised: content capture on, outgoing query strings recorded, and scrubbed.
      const retrieval = collector.spans.find((s) => s.name === 'retrieval ordinary-kb');
      expect(retrieval?.attributes['gen_ai.retrieval.query.text']).toBeDefined();
      const client = collector.spans.find(
        (s) => s.kindName === 'client' && String(s.attributes['url.full']).includes('/sink'),
      );
      expect(String(client?.attributes['url.full'])).toContain('card=[Filtered]');

      for (const { name, secret } of planted) {
        expectAbsent(sentryProxy, secret, `Sentry (${name})`);
        expectAbsent(collectorProxy, secret, `the collector (${name})`);
      }
      expectAbsent(sentryProxy, '4012888888881881', 'Sentry (card in the query string)');
      expectAbsent(collectorProxy, '4012888888881881', 'the collector (card in the query string)');
      // A key and its value within a few bytes of each other: JSON (`"cvv":"4821"`), protobuf framing, `cvv=4821`.
      for (const [key, value] of Object.entries(KEYED)) {
        const pair = new RegExp(`${key}.{0,12}${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 's');
        expect(sentryProxy.dump().match(pair)?.[0], `Sentry (${key})`).toBeUndefined();
        expect(collectorProxy.dump().match(pair)?.[0], `the collector (${key})`).toBeUndefined();
      }

      // Ordinary messages: each arrives, byte for byte, at both (the dump is latin1 of the UTF-8 bodies).
      const sentryDump = sentryProxy.dump();
      const collectorDump = collectorProxy.dump();
      const changed = corpus.ordinary.filter((text) => {
        const bytes = Buffer.from(text, 'utf8').toString('latin1');
        return !sentryDump.includes(bytes) || !collectorDump.includes(bytes);
      });
      expect(changed).toEqual([]);
    },
  );
});
