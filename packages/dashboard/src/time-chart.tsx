// A line chart over time (uPlot): one x axis of epoch seconds, one line per series. The chart is
// created once and fed new data, so a poll every few seconds costs almost nothing.
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface ChartLine {
	label: string;
	color: string;
	values: (number | null)[];
}

interface Props {
	title: string;
	unit: string;
	t: number[];
	lines: ChartLine[];
	height?: number;
}

export function TimeChart({ title, unit, t, lines, height = 180 }: Props) {
	const box = useRef<HTMLDivElement>(null);
	const chart = useRef<uPlot | null>(null);
	const shape = lines.map((l) => l.label).join("|");

	useEffect(() => {
		const el = box.current;
		if (!el) return;
		const plot = new uPlot(
			{
				width: Math.max(200, el.clientWidth),
				height,
				series: [
					{},
					...lines.map((l) => ({
						label: l.label,
						stroke: l.color,
						width: 2,
						spanGaps: false,
						value: (_: uPlot, v: number | null) => (v === null ? "–" : `${v.toFixed(2)} ${unit}`),
					})),
				],
				axes: [{}, { label: unit, size: 60 }],
				scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(max * 1.1, 1)] } },
			},
			[t, ...lines.map((l) => l.values)],
			el,
		);
		chart.current = plot;
		const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
		resize.observe(el);
		return () => {
			resize.disconnect();
			plot.destroy();
			chart.current = null;
		};
	}, [shape, height, unit]); // rebuilt only when the set of lines changes; new data goes through setData below

	useEffect(() => {
		chart.current?.setData([t, ...lines.map((l) => l.values)]);
	});

	return (
		<figure class="chart" data-chart={title} data-points={t.length}>
			<figcaption>{title}</figcaption>
			{t.length < 1 ? <p class="muted chart-empty">Collecting samples… (a point every few seconds while this page is open)</p> : null}
			<div ref={box} />
		</figure>
	);
}
