/**
 * A bar chart (Chart.js, canvas), registered with only what bars need so the dashboard's chunk
 * stays small; this module is reached only through the dashboard's dynamic import, never from
 * the main bundle. A click on a bar calls `onPick(index)`: the deals behind it. The canvas is an
 * image to assistive technology (`label`); every widget shows the same figures in a table whose
 * rows are buttons, which is also the keyboard's way to a drill-down.
 */
import { useEffect, useRef } from 'preact/hooks'
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartDataset,
} from 'chart.js'
import { number } from '../../lib/format'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend)

export const COLOURS = ['#4f46e5', '#0891b2', '#16a34a', '#ea580c', '#db2777', '#9333ea', '#b45309', '#64748b']

export interface Series {
  label: string
  values: number[]
  colour?: string
}

/** Where each bar's centre is, in CSS pixels of the canvas (`data-bars`): what a test clicks. */
type Bars = Chart<'bar', number[], string>

function markBars(chart: Bars): void {
  if (!chart.canvas) return // destroyed before a deferred call (the widget went away)
  const centres = chart.data.datasets.map((_, i) => chart.getDatasetMeta(i).data.map((bar) => {
    const { x, y, base, horizontal } = bar.getProps(['x', 'y', 'base', 'horizontal'], true) as
      { x: number; y: number; base: number; horizontal: boolean }
    return horizontal ? [Math.round((x + base) / 2), Math.round(y)] : [Math.round(x), Math.round((y + base) / 2)]
  }))
  chart.canvas.dataset.bars = JSON.stringify(centres)
}

export function BarChart({ labels, series, label, onPick, horizontal = false, format, testId, height = 240, max }: {
  labels: string[]
  series: Series[]
  label: string
  onPick?: (index: number, series: number) => void
  horizontal?: boolean
  format?: (value: number) => string
  testId?: string
  height?: number
  /** The value axis reaches at least this far (100 for percentages of a target). */
  max?: number
}) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Bars | null>(null)
  const pick = useRef(onPick)
  pick.current = onPick
  const counts = format === undefined // no format: the bars are counts, the axis shows whole numbers
  const shown = useRef(format ?? number)
  shown.current = format ?? number

  useEffect(() => {
    const datasets: ChartDataset<'bar', number[]>[] = series.map((s, i) => ({
      label: s.label, data: s.values, backgroundColor: s.colour ?? COLOURS[i % COLOURS.length],
      borderRadius: 4, maxBarThickness: 42,
    }))
    if (chart.current) {
      chart.current.data.labels = labels
      chart.current.data.datasets = datasets
      chart.current.update()
      markBars(chart.current)
      return
    }
    const made: Bars = new Chart<'bar', number[], string>(canvas.current!, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: series.length > 1, position: 'bottom', labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${shown.current(Number(item.raw) || 0)}` } },
        },
        scales: {
          [horizontal ? 'x' : 'y']: { beginAtZero: true, suggestedMax: max, ticks: { precision: counts ? 0 : undefined, callback: (value) => shown.current(Number(value)) } },
          [horizontal ? 'y' : 'x']: { grid: { display: false } },
        },
        onResize: (resized) => requestAnimationFrame(() => markBars(resized as unknown as Bars)),
        onHover: (event, elements) => {
          const target = event.native?.target as HTMLElement | undefined
          if (target) target.style.cursor = elements.length && pick.current ? 'pointer' : 'default'
        },
        onClick: (_event, elements) => {
          const hit = elements[0]
          if (hit && pick.current) pick.current(hit.index, hit.datasetIndex)
        },
      },
    })
    chart.current = made
    markBars(made)
  }, [JSON.stringify(labels), JSON.stringify(series), horizontal, counts])

  useEffect(() => () => {
    chart.current?.destroy()
    chart.current = null
  }, [])

  return (
    <div class="insights-chart" style={{ height: `${height}px` }}>
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} />
    </div>
  )
}
