/**
 * @module ops/metrics
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges read at scrape
 * time, and histograms. Label values are operator ids and outcome codes only, never personal
 * data, so cardinality stays bounded. A counter declares its label names: one without labels
 * is exposed as 0 before its first increment, while a labelled one has no sample until it is
 * incremented, since a sample without its labels would be a series of its own (spec 15.3) that
 * alert rules over the labelled series would count.
 */
type Labels = Record<string, string>

function labelText(labels: Labels): string {
  const keys = Object.keys(labels)
  if (keys.length === 0) return ''
  return `{${keys.map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`
}

export interface Counter {
  inc(labels?: Labels, by?: number): void
}

export interface Histogram {
  observe(value: number, labels?: Labels): void
}

export interface Metrics {
  /** A counter with the label names its samples carry (none by default). */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter
  histogram(name: string, help: string, buckets: number[]): Histogram
  /** A gauge whose samples are collected when scraped. */
  gauge(
    name: string,
    help: string,
    collect: () => Promise<{ labels: Labels; value: number }[]>,
  ): void
  /** The exposition text. */
  render(): Promise<string>
}

/**
 * @example
 * ```ts
 * const m = createMetrics()
 * const accepted = m.counter('barid_letters_accepted_total', 'Letters accepted', ['origin'])
 * accepted.inc({ origin: 'local' })
 * ```
 */
export function createMetrics(): Metrics {
  const counters = new Map<
    string,
    { help: string; labelled: boolean; values: Map<string, number> }
  >()
  const histograms = new Map<
    string,
    {
      help: string
      buckets: number[]
      series: Map<string, { counts: number[]; sum: number; count: number; labels: Labels }>
    }
  >()
  const gauges = new Map<
    string,
    { help: string; collect: () => Promise<{ labels: Labels; value: number }[]> }
  >()
  return {
    counter(name, help, labelNames = []) {
      const c = counters.get(name) ?? {
        help,
        labelled: labelNames.length > 0,
        values: new Map<string, number>(),
      }
      counters.set(name, c)
      return {
        inc(labels = {}, by = 1) {
          const k = labelText(labels)
          c.values.set(k, (c.values.get(k) ?? 0) + by)
        },
      }
    },
    histogram(name, help, buckets) {
      const h = histograms.get(name) ?? {
        help,
        buckets: [...buckets].sort((a, b) => a - b),
        series: new Map(),
      }
      histograms.set(name, h)
      return {
        observe(value, labels = {}) {
          const k = labelText(labels)
          let s = h.series.get(k)
          if (!s) {
            s = { counts: h.buckets.map(() => 0), sum: 0, count: 0, labels }
            h.series.set(k, s)
          }
          h.buckets.forEach((b, i) => {
            if (value <= b) s.counts[i]!++
          })
          s.sum += value
          s.count++
        },
      }
    },
    gauge(name, help, collect) {
      gauges.set(name, { help, collect })
    },
    async render() {
      const out: string[] = []
      for (const [name, c] of counters) {
        out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`)
        if (c.values.size === 0 && !c.labelled) out.push(`${name} 0`)
        for (const [k, v] of c.values) out.push(`${name}${k} ${v}`)
      }
      for (const [name, g] of gauges) {
        out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`)
        for (const s of await g.collect()) out.push(`${name}${labelText(s.labels)} ${s.value}`)
      }
      for (const [name, h] of histograms) {
        out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`)
        for (const s of h.series.values()) {
          h.buckets.forEach((b, i) =>
            out.push(`${name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`),
          )
          out.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`)
          out.push(
            `${name}_sum${labelText(s.labels)} ${s.sum}`,
            `${name}_count${labelText(s.labels)} ${s.count}`,
          )
        }
      }
      return out.join('\n') + '\n'
    },
  }
}

/** The node's metrics, by name (spec 15.3). */
export interface NodeMetrics {
  registry: Metrics
  lettersAccepted: Counter
  lettersDelivered: Counter
  lettersFailed: Counter
  transactions: Counter
  deliveryLatency: Histogram
  httpRequests: Counter
  /** Faults of the node's own store (disk full, I/O errors, permissions) met by requests. */
  storeFaults: Counter
}

/**
 * Creates the node's metric set; `queueDepth` is read at scrape time.
 *
 * @example
 * ```ts
 * const metrics = createNodeMetrics(() => storage.queueDepth())
 * ```
 */
export function createNodeMetrics(
  queueDepth: () => Promise<{ peer: string; depth: number }[]>,
  peers: () => Promise<string[]> = async () => [],
): NodeMetrics {
  const registry = createMetrics()
  registry.gauge('barid_outbox_queue_depth', 'Outbox items waiting per peer operator', async () => {
    const depth = new Map((await queueDepth()).map((q) => [q.peer, q.depth]))
    for (const p of await peers()) if (!depth.has(p)) depth.set(p, 0)
    return [...depth].map(([peer, value]) => ({ labels: { peer }, value }))
  })
  return {
    registry,
    lettersAccepted: registry.counter(
      'barid_letters_accepted_total',
      'Letters accepted from senders and from peers, by origin',
      ['origin'],
    ),
    lettersDelivered: registry.counter(
      'barid_letters_delivered_total',
      'Letter deliveries into mailboxes (here) or confirmed by a peer (remote)',
      ['route'],
    ),
    lettersFailed: registry.counter(
      'barid_letters_failed_total',
      'Letter deliveries that ended in non-delivery, by code',
      ['code'],
    ),
    transactions: registry.counter(
      'barid_federation_transactions_total',
      'Outgoing federation transactions, by peer and outcome',
      ['peer', 'outcome'],
    ),
    deliveryLatency: registry.histogram(
      'barid_delivery_latency_seconds',
      'Time from acceptance at the sender node to delivery into the mailbox',
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    ),
    httpRequests: registry.counter(
      'barid_http_requests_total',
      'HTTP requests, by API and status class',
      ['api', 'status'],
    ),
    storeFaults: registry.counter(
      'barid_store_faults_total',
      "Requests answered 503 for a fault of the node's own store (disk full, I/O error), by code",
      ['code'],
    ),
  }
}
