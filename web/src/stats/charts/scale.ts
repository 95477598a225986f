/**
 * Geometry of the small SVG charts, as pure functions: the components only draw what these
 * return, and the unit tests check the numbers (a bar twice as tall for twice the value,
 * a zero stays visible as zero, not as a missing bar).
 */

export interface Bar {
  x: number
  y: number
  width: number
  height: number
  value: number
  label: string
}

export interface Box {
  width: number
  height: number
  /** Room kept under the bars for the category labels, above them for the value labels. */
  bottom: number
  top: number
  gap: number
  /** Widest bar: a few categories on a wide chart stay bars, not blocks. */
  maxBar?: number
}

/** The smallest "round" number (1, 2, 2.5, 5 × 10^n) at or above `max`; 1 for nothing. */
export function niceMax(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= max) return step * power
  }
  return 10 * power
}

/** Vertical bars, one per value, scaled to the largest value's nice maximum. */
export function barLayout(values: number[], labels: string[], box: Box): Bar[] {
  if (!values.length) return []
  const top = niceMax(Math.max(...values))
  const plot = box.height - box.bottom - box.top
  const slot = box.width / values.length
  const width = Math.max(1, Math.min(slot - box.gap, box.maxBar ?? Infinity))
  return values.map((value, i) => {
    const height = (Math.max(0, value) / top) * plot
    return {
      x: i * slot + (slot - width) / 2,
      y: box.top + plot - height,
      width,
      height,
      value,
      label: labels[i] ?? ''
    }
  })
}

export interface Point {
  x: number
  y: number
  value: number
}

/** Points of a line through the values, spread over the width; a flat line for all zeros. */
export function linePoints(values: number[], width: number, height: number, pad = 4): Point[] {
  if (!values.length) return []
  const top = niceMax(Math.max(...values))
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0
  return values.map((value, i) => ({
    x: values.length > 1 ? pad + i * step : width / 2,
    y: pad + (height - 2 * pad) * (1 - Math.max(0, value) / top),
    value
  }))
}

/** An SVG path through the points ("M x y L x y ..."), rounded to 0.1 px. */
export function pathOf(points: Point[]): string {
  const r = (n: number) => Math.round(n * 10) / 10
  return points.map((p, i) => `${i ? 'L' : 'M'}${r(p.x)} ${r(p.y)}`).join(' ')
}

/** Horizontal shares (a stacked bar) of a breakdown, largest first, as fractions of 1. */
export function shares(parts: Record<string, number>): { key: string; value: number; share: number }[] {
  const entries = Object.entries(parts).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
  const sum = entries.reduce((acc, [, v]) => acc + v, 0)
  return entries.map(([key, value]) => ({ key, value, share: sum ? value / sum : 0 }))
}
