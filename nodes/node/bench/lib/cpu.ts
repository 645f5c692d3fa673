/**
 * @module bench/lib/cpu
 * CPU time of processes, from `/proc/<pid>/stat` (Linux; elsewhere the figures are omitted), so
 * that the benchmark can say how much CPU each node spent per letter: on a shared 2-core
 * machine that is steadier than wall-clock rates.
 */
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100

/** User plus system CPU seconds of `pid` so far (threads included), or undefined. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Starts counting CPU of `pids`; the returned function gives seconds spent since, per pid. */
export function cpuMeter(pids: Record<string, number | undefined>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]))
  return () => {
    const out: Record<string, number> = {}
    for (const [k, p] of Object.entries(pids)) {
      const a = start[k]
      const b = cpuSeconds(p)
      if (a !== undefined && b !== undefined) out[k] = b - a
    }
    return out
  }
}
