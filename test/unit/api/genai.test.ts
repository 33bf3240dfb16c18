// The GenAI span helpers and the provider-name processor, on an in-memory tracer provider: names, attributes
// from the conventions, content capture off by default, sync/async/throwing callbacks, and gen_ai.system lifted
// to gen_ai.provider.name.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  withAgentSpan,
  withChatSpan,
  withRetrievalSpan,
  withToolSpan,
  withWorkflowSpan,
} from '../../../src/telemetry/api/genai.js';
import { setRuntimeConfig } from '../../../src/telemetry/common/runtime.js';
import { genAiProviderNameProcessor } from '../../../src/telemetry/otel/genai-provider-name.js';
import type { TelemetryConfig } from '../../../src/telemetry/common/types.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [genAiProviderNameProcessor(), new SimpleSpanProcessor(exporter)],
});
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
trace.setGlobalTracerProvider(provider);

afterAll(async () => {
  await provider.shutdown();
  contextManager.disable();
});

beforeEach(() => {
  exporter.reset();
  setRuntimeConfig(undefined);
});

const finished = (name: string) => {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span)
    throw new Error(
      `no span ${name}; have ${exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', ')}`,
    );
  return span;
};

describe('GenAI span helpers', () => {
  it('nests workflow -> agent -> retrieval/chat/tool with the conventions attributes and passes return values through', async () => {
    const result = await withWorkflowSpan({ name: 'support_pipeline', conversationId: 'T-1' }, () =>
      withAgentSpan({ name: 'Resolver', provider: 'local', model: 'm-1', description: 'answers' }, async () => {
        const docs = withRetrievalSpan({ source: 'kb_acme', query: 'refund please' }, (recorder) => {
          recorder.setResults([
            { id: 'billing#refund', score: 4.5 },
            { id: 'billing#invoice', score: 1.25 },
          ]);
          return 2;
        });
        const answer = withChatSpan(
          { provider: 'local', model: 'm-1', messages: [{ role: 'user', content: 'refund please' }] },
          (recorder) => {
            recorder.setResult({
              inputTokens: 3,
              outputTokens: 5,
              finishReasons: ['stop'],
              responseModel: 'm-1',
              output: 'ok',
            });
            return 'ok';
          },
        );
        await withToolSpan({ name: 'notify', type: 'extension' }, () => Promise.resolve());
        return `${docs}:${answer}`;
      }),
    );
    expect(result).toBe('2:ok');

    const workflow = finished('invoke_workflow support_pipeline');
    const agent = finished('invoke_agent Resolver');
    const retrieval = finished('retrieval kb_acme');
    const chat = finished('chat m-1');
    const tool = finished('execute_tool notify');
    expect(workflow.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'support_pipeline',
      'gen_ai.conversation.id': 'T-1',
    });
    expect(agent.parentSpanContext?.spanId).toBe(workflow.spanContext().spanId);
    expect(agent.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'Resolver',
      'gen_ai.agent.description': 'answers',
      'gen_ai.provider.name': 'local',
      'gen_ai.request.model': 'm-1',
    });
    for (const child of [retrieval, chat, tool])
      expect(child.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(retrieval.kind).toBe(SpanKind.CLIENT);
    expect(retrieval.attributes).toMatchObject({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': 'kb_acme',
      'retrieval.result_count': 2,
      'retrieval.top_score': 4.5,
    });
    expect(JSON.parse(String(retrieval.attributes['gen_ai.retrieval.documents']))).toEqual([
      { id: 'billing#refund', score: 4.5 },
      { id: 'billing#invoice', score: 1.25 },
    ]);
    expect(retrieval.attributes['gen_ai.retrieval.query.text']).toBeUndefined();
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'local',
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'notify',
      'gen_ai.tool.type': 'extension',
    });
  });

  it('records query and messages only when the running config turns content capture on', () => {
    setRuntimeConfig({ captureGenAiContent: true } as TelemetryConfig);
    withRetrievalSpan({ source: 'kb', query: 'where is my parcel' }, () => undefined);
    withChatSpan({ provider: 'local', model: 'm', messages: [{ role: 'user', content: 'where is my parcel' }] }, (r) =>
      r.setResult({ output: 'on its way' }),
    );
    expect(finished('retrieval kb').attributes['gen_ai.retrieval.query.text']).toBe('where is my parcel');
    const chat = finished('chat m');
    expect(JSON.parse(String(chat.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'where is my parcel' }] },
    ]);
    expect(String(chat.attributes['gen_ai.output.messages'])).toContain('on its way');
  });

  it('ends the span with ERROR status, the exception and error.type when the callback throws or rejects, and rethrows', async () => {
    class ModelDown extends Error {
      override name = 'ModelDown';
    }
    expect(() =>
      withAgentSpan({ name: 'Triage' }, () => {
        throw new ModelDown('sync');
      }),
    ).toThrow('sync');
    await expect(withAgentSpan({ name: 'Router' }, () => Promise.reject(new ModelDown('async')))).rejects.toThrow(
      'async',
    );
    for (const name of ['invoke_agent Triage', 'invoke_agent Router']) {
      const span = finished(name);
      expect(span.status.code).toBe(2);
      expect(span.attributes['error.type']).toBe('ModelDown');
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
  });
});

describe('the deprecated name-first order (kept until 0.3.0)', () => {
  it('makes the same spans as the options-first order', async () => {
    const spansOf = async (run: () => Promise<unknown>) => {
      exporter.reset();
      await run();
      return exporter
        .getFinishedSpans()
        .map((s) => ({
          name: s.name,
          kind: s.kind,
          attributes: s.attributes,
          parent: s.parentSpanContext === undefined,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    };
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const legacy = await spansOf(() =>
      withWorkflowSpan(
        'flow',
        () =>
          withAgentSpan(
            'Agent',
            async () => {
              withRetrievalSpan('kb', 'q', (recorder) => recorder.setResults([{ id: 'a', score: 1 }]));
              withChatSpan('local', 'm', messages, (recorder) => recorder.setResult({ inputTokens: 1 }));
              await withToolSpan('notify', () => Promise.resolve(), { type: 'function' });
            },
            { provider: 'local', model: 'm', description: 'd', conversationId: 'c' },
          ),
        { conversationId: 'c', attributes: { k: 'v' } },
      ),
    );
    const current = await spansOf(() =>
      withWorkflowSpan({ name: 'flow', conversationId: 'c', attributes: { k: 'v' } }, () =>
        withAgentSpan(
          { name: 'Agent', provider: 'local', model: 'm', description: 'd', conversationId: 'c' },
          async () => {
            withRetrievalSpan({ source: 'kb', query: 'q' }, (recorder) => recorder.setResults([{ id: 'a', score: 1 }]));
            withChatSpan({ provider: 'local', model: 'm', messages }, (recorder) =>
              recorder.setResult({ inputTokens: 1 }),
            );
            await withToolSpan({ name: 'notify', type: 'function' }, () => Promise.resolve());
          },
        ),
      ),
    );
    expect(legacy).toHaveLength(5);
    expect(legacy).toEqual(current);
  });
});

describe('genAiProviderNameProcessor', () => {
  it('copies gen_ai.system into gen_ai.provider.name, whether set at start or later, and never overwrites one', () => {
    const tracer = trace.getTracer('test');
    tracer.startSpan('chat a', { attributes: { 'gen_ai.system': 'openai' } }).end();
    const late = tracer.startSpan('chat b');
    late.setAttribute('gen_ai.system', 'anthropic');
    late.end();
    tracer
      .startSpan('chat c', { attributes: { 'gen_ai.system': 'openai', 'gen_ai.provider.name': 'azure.ai.openai' } })
      .end();
    tracer.startSpan('plain').end();
    expect(finished('chat a').attributes['gen_ai.provider.name']).toBe('openai');
    expect(finished('chat b').attributes['gen_ai.provider.name']).toBe('anthropic');
    expect(finished('chat c').attributes['gen_ai.provider.name']).toBe('azure.ai.openai');
    expect(finished('plain').attributes['gen_ai.provider.name']).toBeUndefined();
  });
});
