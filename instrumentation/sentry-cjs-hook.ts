/**
 * A module.register() resolve hook: an ES `import` of an `@sentry/*` package gets the package's CommonJS build,
 * the copy the layer itself loads (src/telemetry/common/sentry-node.ts). One copy of Sentry in the process keeps
 * what the application does with `@sentry/node` directly (its `Scope`, `instanceof` checks, its console and
 * breadcrumb handlers) acting on the layer's client and scopes, as it does when everything is one graph.
 */
type Resolved = { url: string; format?: string | null };
type ResolveContext = { conditions: readonly string[]; parentURL?: string };
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<Resolved>;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<Resolved> {
  if (specifier.startsWith('@sentry/') && context.conditions.includes('import')) {
    const conditions = [...context.conditions.filter((condition) => condition !== 'import'), 'require'];
    // A package (or subpath) without a CommonJS build, `@sentry/node/import` for one, resolves as it always did.
    const required = await nextResolve(specifier, { ...context, conditions }).catch(() => undefined);
    if (required?.format === 'commonjs') return required;
  }
  return nextResolve(specifier, context);
}
