/**
 * One live chart of a dashboard: uPlot over the samples the page holds,
 * coloured from the theme (VS Code's `--vscode-charts-*` variables), its
 * series named by the newest sample (keys per db and nodes come and go: a
 * new set of names rebuilds the chart).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesValue {
  label: string;
  value: number | null;
  /** Drawn dashed: a limit (maxmemory, a watermark). */
  dash?: boolean;
}

export interface ChartSpec<S> {
  id: string;
  title: string;
  /** Axis and legend text of a value. */
  format(value: number): string;
  series(sample: S): SeriesValue[];
  /** A fixed top (1 for ratios). */
  max?: number;
}

const PALETTE = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];
const FALLBACK: Record<string, string> = {
  blue: '#3794ff',
  orange: '#d18616',
  green: '#89d185',
  purple: '#b180d7',
  red: '#f14c4c',
  yellow: '#cca700',
};

/** A theme variable's value, or the fallback when the page has none. */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

export function seriesColor(i: number): string {
  const name = PALETTE[i % PALETTE.length];
  return themeColor(`--vscode-charts-${name}`, FALLBACK[name]);
}

const HEIGHT = 170;

export class LiveChart<S> {
  private plot: uPlot | undefined;
  private labels = '';
  private readonly box: HTMLElement;

  constructor(
    parent: HTMLElement,
    private readonly spec: ChartSpec<S>,
  ) {
    const figure = document.createElement('figure');
    figure.className = 'dash-chart';
    figure.dataset.chart = spec.id;
    const caption = document.createElement('figcaption');
    caption.textContent = spec.title;
    this.box = document.createElement('div');
    figure.append(caption, this.box);
    parent.append(figure);
  }

  /** Redraws from the samples (oldest first). */
  update(samples: readonly S[]): void {
    const last = samples[samples.length - 1];
    if (last === undefined) return;
    const names = this.spec.series(last).map((s) => s.label);
    const key = names.join('\u0000');
    const data: uPlot.AlignedData = [
      samples.map((s) => (s as { t: number }).t / 1000),
      ...names.map((name) =>
        samples.map((s) => {
          const v = this.spec.series(s).find((x) => x.label === name);
          return v?.value ?? null;
        }),
      ),
    ];
    if (!this.plot || key !== this.labels) {
      this.plot?.destroy();
      this.labels = key;
      this.plot = new uPlot(this.options(this.spec.series(last)), data, this.box);
      return;
    }
    this.plot.setData(data);
  }

  resize(): void {
    this.plot?.setSize({ width: this.width(), height: HEIGHT });
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  private width(): number {
    return Math.max(240, this.box.clientWidth || 360);
  }

  private options(series: readonly SeriesValue[]): uPlot.Options {
    const fg = themeColor('--vscode-charts-foreground', themeColor('--vscode-foreground', '#ccc'));
    const lines = themeColor('--vscode-charts-lines', 'rgba(128,128,128,0.3)');
    const format = (v: number | null): string => (v === null ? '–' : this.spec.format(v));
    const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: fg,
      grid: { stroke: lines, width: 1 },
      ticks: { stroke: lines, width: 1 },
      // The value axis is as wide as its longest label (`1.50 MiB/s`), in the editor's font size.
      ...(values ? { values, size: 72 } : {}),
    });
    return {
      width: this.width(),
      height: HEIGHT,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: this.spec.max !== undefined ? { range: [0, this.spec.max] } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [axis(), axis((_u, splits) => splits.map((v) => format(v)))],
      series: [
        {},
        ...series.map((s, i): uPlot.Series => ({
          label: s.label,
          stroke: seriesColor(i),
          width: 1.5,
          spanGaps: false,
          value: (_u, v) => format(v),
          ...(s.dash ? { dash: [6, 4] } : {}),
        })),
      ],
    };
  }
}
