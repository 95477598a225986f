import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import BarChart from '@/stats/charts/BarChart.vue'
import LineChart from '@/stats/charts/LineChart.vue'
import ShareBar from '@/stats/charts/ShareBar.vue'
import { barLayout, linePoints, niceMax, pathOf, shares } from '@/stats/charts/scale'

const BOX = { width: 300, height: 140, bottom: 20, top: 20, gap: 10 }

describe('chart scales', () => {
  it.each([
    [0, 1], [-3, 1], [Number.NaN, 1], [1, 1], [3, 5], [7, 10], [12, 20], [0.3, 0.5], [240, 250], [251, 500]
  ])('niceMax(%s) = %s', (max, expected) => {
    expect(niceMax(max)).toBeCloseTo(expected)
  })

  it('draws bars in proportion to their values, zero as zero, inside the plot', () => {
    const bars = barLayout([10, 5, 0], ['a', 'b', 'c'], BOX)
    const plot = BOX.height - BOX.top - BOX.bottom
    expect(bars.map((b) => b.height)).toEqual([plot, plot / 2, 0])
    expect(bars.map((b) => b.y + b.height)).toEqual([BOX.top + plot, BOX.top + plot, BOX.top + plot])
    expect(bars.map((b) => b.label)).toEqual(['a', 'b', 'c'])
    expect(bars[1]!.x).toBeGreaterThan(bars[0]!.x + bars[0]!.width) // a gap between bars
    expect(bars[2]!.x + bars[2]!.width).toBeLessThanOrEqual(BOX.width)
    expect(barLayout([], [], BOX)).toEqual([])
    const narrow = barLayout([1, 2], ['a', 'b'], { ...BOX, width: 900, maxBar: 40 })
    expect(narrow.map((b) => b.width)).toEqual([40, 40])
    expect(narrow.map((b) => b.x + b.width / 2)).toEqual([225, 675]) // centred in their slots
  })

  it('keeps all-zero data on the base line', () => {
    const points = linePoints([0, 0, 0], 100, 40, 4)
    expect(points.map((p) => p.y)).toEqual([36, 36, 36])
    expect(points.map((p) => p.x)).toEqual([4, 50, 96])
    expect(pathOf(points)).toBe('M4 36 L50 36 L96 36')
    expect(linePoints([5], 100, 40, 4)[0]).toMatchObject({ x: 50, y: 4 })
  })

  it('splits a breakdown into shares, largest first, leaving out zeros', () => {
    expect(shares({ free_chat: 1, comparison: 3, other: 0 })).toEqual([
      { key: 'comparison', value: 3, share: 0.75 },
      { key: 'free_chat', value: 1, share: 0.25 }
    ])
    expect(shares({})).toEqual([])
  })
})

describe('chart components', () => {
  it('label every bar with its formatted value and category, and name the image', () => {
    const wrapper = mount(BarChart, {
      props: { title: 'Sales', values: [4, 2], labels: ['Mon', 'Tue'], format: (v: number) => `${v} sold`, testid: 'sales' }
    })
    const svg = wrapper.get('svg')
    expect(svg.attributes('role')).toBe('img')
    expect(svg.attributes('aria-label')).toBe('Sales: Mon 4 sold, Tue 2 sold')
    const bars = wrapper.findAll('[data-testid="sales-bar"]')
    expect(bars.map((b) => b.attributes('data-value'))).toEqual(['4', '2'])
    expect(bars.map((b) => b.findAll('text').map((t) => t.text()))).toEqual([['4 sold', 'Mon'], ['2 sold', 'Tue']])
    const heights = wrapper.findAll('rect').map((r) => Number(r.attributes('height')))
    expect(heights[0]).toBeCloseTo(heights[1]! * 2)
  })

  it('print the last value of a line and give each point a title', () => {
    const wrapper = mount(LineChart, { props: { title: 'Tokens', values: [1, 3, 2], labels: ['a', 'b', 'c'] } })
    expect(wrapper.get('figcaption strong').text()).toBe('2')
    expect(wrapper.findAll('circle title').map((t) => t.text())).toEqual(['a: 1', 'b: 3', 'c: 2'])
    expect(wrapper.get('path').attributes('d')).toMatch(/^M[\d.]+ [\d.]+ L/)
  })

  it('render people-typed category names as text, never as markup', () => {
    const evil = '<img src=x onerror=alert(1)>'
    const wrapper = mount(ShareBar, { props: { title: 'Calls', parts: { [evil]: 2, b: 2 } } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.text()).toContain(evil)
    expect(wrapper.findAll('[data-testid="share-legend"]').map((li) => li.text())).toEqual([`${evil}2(50%)`, 'b2(50%)'])
  })
})
