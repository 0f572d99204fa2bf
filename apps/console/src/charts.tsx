import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/lib/core';
import type { ReactNode } from 'react';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

export const PALETTE = [
  '#1f5fa8',
  '#2f9e8f',
  '#e0a030',
  '#c8553d',
  '#7a5fb5',
  '#5b8a3a',
  '#8a8f98',
];
const AXIS = {
  axisLine: { lineStyle: { color: '#c5ccd6' } },
  axisLabel: { color: '#5a6472', fontSize: 11 },
  splitLine: { lineStyle: { color: '#eef1f5' } },
};
const FONT = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' };
// Tooltips as plain text: the console's CSP allows no inline style attributes.
const TOOLTIP = {
  trigger: 'axis' as const,
  renderMode: 'html' as const,
  className: 'chart-tooltip',
  formatter: undefined as unknown,
};

function Chart(props: {
  option: echarts.EChartsCoreOption;
  height: number;
  testId: string;
  label: string;
}): ReactNode {
  return (
    <div className="chart" role="img" aria-label={props.label} data-testid={props.testId}>
      <ReactEChartsCore
        echarts={echarts}
        option={{ color: PALETTE, textStyle: FONT, animation: false, ...props.option }}
        notMerge
        style={{ height: props.height }}
      />
    </div>
  );
}

type AxisParams = {
  name?: string;
  seriesName?: string;
  value?: unknown;
  axisValueLabel?: string;
}[];
const axisText = (params: unknown, format: (v: number) => string): string => {
  const list = params as AxisParams;
  const head = list[0]?.axisValueLabel ?? list[0]?.name ?? '';
  return [
    head,
    ...list.map(
      (p) =>
        `${p.seriesName ?? ''}: ${format(Array.isArray(p.value) ? Number(p.value[1]) : Number(p.value))}`,
    ),
  ].join('<br/>');
};

/** Lag (events) of each projection over the time this console has watched it. */
export function LagChart(props: {
  series: { name: string; points: [number, number][] }[];
}): ReactNode {
  return (
    <Chart
      testId="lag-chart"
      label="Projection lag over time"
      height={220}
      option={{
        grid: { left: 48, right: 16, top: 28, bottom: 28 },
        legend: { top: 0, right: 0, textStyle: { color: '#5a6472', fontSize: 11 } },
        tooltip: { ...TOOLTIP, formatter: (p: unknown) => axisText(p, (v) => `${v} events`) },
        xAxis: { type: 'time', ...AXIS, splitLine: { show: false } },
        yAxis: {
          type: 'value',
          name: 'events behind',
          nameTextStyle: { color: '#5a6472', fontSize: 11 },
          minInterval: 1,
          ...AXIS,
        },
        series: props.series.map((s) => ({
          name: s.name,
          type: 'line',
          showSymbol: false,
          step: 'end',
          areaStyle: { opacity: 0.08 },
          data: s.points,
        })),
      }}
    />
  );
}

/** Members per value tier. */
export function TierChart(props: { tiers: { name: string; members: number }[] }): ReactNode {
  return (
    <Chart
      testId="tier-chart"
      label="Customers per value tier"
      height={240}
      option={{
        grid: { left: 80, right: 40, top: 8, bottom: 24 },
        tooltip: { ...TOOLTIP, formatter: (p: unknown) => axisText(p, (v) => `${v} customers`) },
        xAxis: { type: 'value', minInterval: 1, ...AXIS },
        yAxis: { type: 'category', data: props.tiers.map((t) => t.name), inverse: true, ...AXIS },
        series: [
          {
            name: 'customers',
            type: 'bar',
            barMaxWidth: 26,
            data: props.tiers.map((t) => t.members),
            label: { show: true, position: 'right', color: '#1d2733' },
          },
        ],
      }}
    />
  );
}

/** Value concentration: the Lorenz curve of relationship value against the line of equality. */
export function LorenzChart(props: {
  curve: { x: number; y: number }[];
  caption: string;
}): ReactNode {
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  return (
    <Chart
      testId="lorenz-chart"
      label={props.caption}
      height={240}
      option={{
        grid: { left: 48, right: 16, top: 28, bottom: 40 },
        legend: { top: 0, right: 0, textStyle: { color: '#5a6472', fontSize: 11 } },
        tooltip: { ...TOOLTIP, formatter: (p: unknown) => axisText(p, pct) },
        xAxis: {
          type: 'value',
          min: 0,
          max: 1,
          name: 'share of customers (smallest first)',
          nameLocation: 'middle',
          nameGap: 24,
          nameTextStyle: { color: '#5a6472', fontSize: 11 },
          axisLabel: { ...AXIS.axisLabel, formatter: pct },
          axisLine: AXIS.axisLine,
          splitLine: AXIS.splitLine,
        },
        yAxis: {
          type: 'value',
          min: 0,
          max: 1,
          axisLabel: { ...AXIS.axisLabel, formatter: pct },
          axisLine: AXIS.axisLine,
          splitLine: AXIS.splitLine,
        },
        series: [
          {
            name: 'share of value',
            type: 'line',
            smooth: false,
            showSymbol: false,
            areaStyle: { opacity: 0.12 },
            data: props.curve.map((c) => [c.x, c.y]),
          },
          {
            name: 'equality',
            type: 'line',
            showSymbol: false,
            lineStyle: { type: 'dashed', color: '#8a8f98' },
            itemStyle: { color: '#8a8f98' },
            data: [
              [0, 0],
              [1, 1],
            ],
          },
        ],
      }}
    />
  );
}

/** Interactions per channel over the last 30 and 90 days. */
export function ChannelChart(props: {
  channels: string[];
  last30: number[];
  last90: number[];
}): ReactNode {
  return (
    <Chart
      testId="channel-chart"
      label="Interactions per channel"
      height={180}
      option={{
        grid: { left: 36, right: 8, top: 28, bottom: 24 },
        legend: { top: 0, right: 0, textStyle: { color: '#5a6472', fontSize: 11 } },
        tooltip: { ...TOOLTIP, formatter: (p: unknown) => axisText(p, (v) => String(v)) },
        xAxis: { type: 'category', data: props.channels, ...AXIS },
        yAxis: { type: 'value', minInterval: 1, ...AXIS },
        series: [
          { name: '30 days', type: 'bar', barMaxWidth: 18, data: props.last30 },
          { name: '90 days', type: 'bar', barMaxWidth: 18, data: props.last90 },
        ],
      }}
    />
  );
}
