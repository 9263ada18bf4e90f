// One trend chart (Chart.js, line): a metric per run, one line per series (a node, or a rule).
import { useEffect, useRef, type ReactElement } from 'react';
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const PALETTE = ['#4f46e5', '#dc2626', '#16a34a', '#d97706', '#0891b2', '#9333ea', '#db2777', '#65a30d', '#0f766e', '#b45309'];

export interface Series {
  label: string;
  values: (number | null)[];
}

export function TrendChart({ title, labels, series, testId, percent }: { title: string; labels: string[]; series: Series[]; testId: string; percent?: boolean }): ReactElement {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const styles = getComputedStyle(document.documentElement);
    const text = styles.getPropertyValue('--text-muted').trim() || '#52525b';
    const grid = styles.getPropertyValue('--border').trim() || '#e4e4e7';
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.values, borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], pointRadius: 2, borderWidth: 1.5, tension: 0.2, spanGaps: true })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom', labels: { color: text, boxWidth: 10, font: { size: 11 } } } },
        scales: {
          x: { ticks: { color: text, maxRotation: 0, autoSkip: true, maxTicksLimit: 8, font: { size: 10 } }, grid: { color: grid } },
          y: { beginAtZero: true, ticks: { color: text, font: { size: 10 }, ...(percent ? { callback: (v: string | number) => `${v}%` } : {}) }, grid: { color: grid } },
        },
      },
    });
    return () => chart.destroy();
  }, [labels, series, percent]);
  return (
    <figure className="runs-chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className="runs-chart__canvas">
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
    </figure>
  );
}
