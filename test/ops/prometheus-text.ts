// A small reader for the Prometheus text exposition format (what the Collector's prometheus exporter serves),
// and a writer of promtool rule-test input series from scrapes.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
  let m: RegExpExecArray | null;
  while ((m = pattern.exec(text)) !== null) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value });
  }
  return samples;
}

export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`scrape ${url}: HTTP ${response.status}`);
  return parsePrometheusText(await response.text());
}

export function seriesKey(sample: Pick<Sample, 'name' | 'labels'>): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(sample.labels[key])}`);
  return `${sample.name}{${labels.join(',')}}`;
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sumOf(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/**
 * promtool input series from consecutive scrapes: scrape i is held for `minutesEach[i]` one-minute samples;
 * a series absent from a scrape is `_` (missing), as Prometheus would see it.
 */
export function promtoolSeries(
  scrapes: readonly (readonly Sample[])[],
  minutesEach: readonly number[],
  keep: (name: string) => boolean,
): { series: string; values: string }[] {
  const byScrape = scrapes.map(
    (samples) => new Map(samples.filter((s) => keep(s.name)).map((s) => [seriesKey(s), s.value])),
  );
  const keys = new Set(byScrape.flatMap((map) => [...map.keys()]));
  return [...keys].sort().map((key) => {
    const values: string[] = [];
    byScrape.forEach((map, index) => {
      const value = map.get(key);
      const text = value === undefined ? '_' : String(value);
      for (let i = 0; i < minutesEach[index]!; i += 1) values.push(text);
    });
    return { series: key, values: values.join(' ') };
  });
}
