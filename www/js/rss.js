// SPDX-License-Identifier: MIT
/*
 * The Peak RSS panel (#rss): the median peak resident set size (maxrss)
 * of the interpreter per variant, as horizontal bars in MiB and as a
 * table with the minimum, maximum and n.
 */
import { canvasFor, chartBase, colorOf, grid, setChart } from './charts.js';
import { $, datum, h, hint, table } from './dom.js';
import { fmt } from './format.js';
import { variantsWith } from './state.js';

/* Draws the table, and the chart when Chart.js is loaded. */
export function renderRss() {
	const list = variantsWith('maxrss_kb');

	$('rss-table').replaceChildren(list.length ?
		table(null, ['variant', 'median', 'min', 'max', 'n'],
		    list.map(({ v }) => {
			const r = v.maxrss_kb;
			return [v.id,
				h('span', { dataset: { variant: v.id } },
				    datum('rss-median', r.median, fmt.mib(r.median))),
				datum('rss-min', r.min, fmt.mib(r.min)),
				datum('rss-max', r.max, fmt.mib(r.max)),
				datum('rss-n', r.n, fmt.count(r.n))];
		    })) :
		hint('No verified runs yet.'));
	if (!canvasFor('rss', 'rss-chart', list.length > 0))
		return;
	const base = chartBase('');
	base.indexAxis = 'y';
	base.scales = {
		x: {
			beginAtZero: true,
			title: { display: true, text: 'MiB (median peak RSS)' },
			grid: grid(),
		},
		y: { grid: { display: false } },
	};
	base.plugins = {
		legend: { display: false },
		tooltip: {
			callbacks: {
				label: (c) => {
					const r = list[c.dataIndex].v.maxrss_kb;
					return fmt.mib(r.median) + ' (min ' +
					    fmt.mib(r.min) + ', max ' +
					    fmt.mib(r.max) + ')';
				},
			},
		},
	};
	setChart('rss', 'rss-chart', {
		type: 'bar',
		data: {
			labels: list.map(({ v }) => v.id),
			datasets: [{
				label: 'median peak RSS (MiB)',
				data: list.map(({ v }) => v.maxrss_kb.median / 1024),
				backgroundColor: list.map(({ i }) => colorOf(i)),
			}],
		},
		options: base,
	});
}
