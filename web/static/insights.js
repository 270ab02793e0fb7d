/* IndexPilot analytics: the Insights page's script.
 *
 * The server renders every table, so the page is complete without this
 * file. The page holds, as JSON, the answers it rendered them from
 * (#insights-data: the values to plot) and everything it shows as the
 * server wrote it (#insights-text, internal/server/page_insights.go: each
 * card's table, and the forecast paths' values). This script draws the
 * four charts with uPlot: feature priorities as ranked stacked bars,
 * algorithms' success rates with their 95 % intervals coloured by action,
 * the most used feature combinations, and one forecast at a time as a
 * line with its 80 % band past the forecast day. It writes no number
 * itself: a chart's legend shows the headings and cells of its table, the
 * forecast's the values the server wrote for the path.
 *
 * Rules (as dashboard.js): strings from the data are drawn on a canvas or
 * set with textContent, never parsed as HTML; no inline style or script.
 */
(function () {
  'use strict';

  var main = document.getElementById('insights');
  var source = document.getElementById('insights-data');
  var written = document.getElementById('insights-text');
  if (!main || !source || !written || typeof window.uPlot === 'undefined') {
    return;
  }
  var uPlot = window.uPlot;
  var data = JSON.parse(source.textContent);
  var text = JSON.parse(written.textContent);
  var palette = ['#1f5fa8', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'];
  var actionColors = { improve: '#d55e00', optimize: '#e69f00', ok: '#009e73', insufficient_data: '#8a939c' };
  var maxBars = 12;

  var none = '\u2013'; // a legend with no point under the cursor

  function $(id) { return document.getElementById(id); }
  function shortLabel(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }

  // table returns the server's table of the chart id.
  function table(id) {
    return text.charts.filter(function (t) { return t.id === id; })[0];
  }

  // column returns the legend texts of column col of table t, by point:
  // the table's row i is the chart's point i.
  function column(t, col) {
    return function (i) { return t.rows[i] ? t.rows[i][col] : none; };
  }

  function plotSize(el) {
    var width = Math.max(240, Math.floor(el.clientWidth));
    return { width: width, height: width < 500 ? 220 : 260 };
  }

  // barOptions draws categories as bars; series with stack set are drawn
  // over one another, the first (the total) behind.
  function barOptions(spec, size) {
    var n = spec.labels.length;
    var rotate = n > 4 || size.width < 500;
    var series = [{ label: spec.xLabel, value: function (u, i) { return i === null ? none : (spec.labels[i] || ''); } }];
    spec.series.forEach(function (s, i) {
      var color = s.color || palette[i % palette.length];
      series.push({
        label: s.label, stroke: color, fill: color + 'cc',
        paths: uPlot.paths.bars({ size: [0.65, 64] }), points: { show: false },
        value: function (u, v, si, idx) { return idx === null || idx === undefined ? none : s.text(idx); }
      });
    });
    return {
      width: size.width, height: rotate ? size.height + 50 : size.height, series: series,
      scales: { x: { time: false, range: function () { return [-0.5, n - 0.5]; } },
        y: { range: function (u, min, max) { return [0, spec.yMax || (max > 0 ? max * 1.1 : 1)]; } } },
      axes: [
        { splits: function () { return spec.labels.map(function (_, i) { return i; }); },
          values: function (u, splits) { return splits.map(function (i) { return shortLabel(spec.labels[i] || '', 18); }); },
          rotate: rotate ? 50 : 0, size: rotate ? 110 : 36, gap: 4 },
        { label: spec.yLabel, labelSize: 20, size: 56 }
      ],
      hooks: spec.draw ? { draw: [spec.draw] } : {},
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: true, live: true }
    };
  }

  // priorities: each feature's score as the stack of its weighted parts;
  // the legend shows each part's score (columns 3 to 5 of the table, their
  // headings naming the weights).
  function priorities() {
    var a = data.features, w = a.weights, t = table('priorities');
    var total = w.usage + w.performance + w.requests;
    var rows = a.features.slice(0, maxBars);
    var parts = [
      { key: 'usage', weight: w.usage / total, col: 3 },
      { key: 'performance', weight: w.performance / total, col: 4 },
      { key: 'requests', weight: w.requests / total, col: 5 }
    ];
    // Cumulative from the last part up, so the first bar is the score.
    var acc = rows.map(function () { return 0; });
    var stacked = [];
    for (var i = parts.length - 1; i >= 0; i--) {
      var p = parts[i];
      acc = acc.map(function (x, j) { return x + p.weight * rows[j].breakdown[p.key]; });
      stacked.unshift({ label: t.head[p.col], values: acc, text: column(t, p.col) });
    }
    return { rows: rows.length, spec: { labels: rows.map(function (f) { return f.feature; }), xLabel: t.head[1], yLabel: 'score (0\u2013100)',
      series: stacked, yMax: 100 } };
  }

  // advice: success rates (decisions per use, as the table writes them)
  // coloured by action, with the 95 % interval as a whisker and the
  // threshold as a dashed line. Algorithms without a rate are not drawn,
  // so the legend finds a bar's row by the algorithm's name.
  function advice() {
    var a = data.algorithms, t = table('advice');
    var rows = a.algorithms.filter(function (x) { return x.success_rate !== null; }).slice(0, maxBars);
    var cells = {};
    t.rows.forEach(function (r) { cells[r[0]] = r[2]; });
    var actions = ['improve', 'optimize', 'ok', 'insufficient_data'];
    var series = actions.map(function (act) {
      var values = rows.map(function (x) { return x.action === act ? x.success_rate : null; });
      return { label: act, color: actionColors[act], values: values,
        text: function (i) { return values[i] === null ? none : cells[rows[i].algorithm]; } };
    }).filter(function (s) { return s.values.some(function (v) { return v !== null; }); });
    function draw(u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#1b1f24';
      ctx.lineWidth = Math.max(1, devicePixelRatio);
      rows.forEach(function (x, i) {
        if (i >= u.data[0].length) { return; } // narrow screens show fewer bars
        var cx = u.valToPos(i, 'x', true);
        var lo = u.valToPos(x.success_rate_low, 'y', true), hi = u.valToPos(x.success_rate_high, 'y', true);
        var half = 5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(cx, lo); ctx.lineTo(cx, hi);
        ctx.moveTo(cx - half, lo); ctx.lineTo(cx + half, lo);
        ctx.moveTo(cx - half, hi); ctx.lineTo(cx + half, hi);
        ctx.stroke();
      });
      var y = u.valToPos(a.thresholds.min_success_rate, 'y', true);
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.strokeStyle = '#b42318';
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.restore();
    }
    return { rows: rows.length, spec: { labels: rows.map(function (x) { return x.algorithm; }), xLabel: t.head[0],
      yLabel: 'decisions per use', series: series, yMax: 1, draw: draw } };
  }

  // patterns: each combination's support; its label and legend are the
  // table's first and third columns, row for row.
  function patterns() {
    var t = table('patterns');
    var rows = data.patterns.combinations.slice(0, maxBars);
    return { rows: rows.length, spec: { labels: t.rows.slice(0, rows.length).map(function (r) { return r[0]; }), xLabel: t.head[0],
      yLabel: '% of installations', yMax: 100,
      series: [{ label: t.head[2], values: rows.map(function (c) { return 100 * c.support; }), text: column(t, 2) }] } };
  }

  // forecastLegend returns the legend texts of path i by point, as the
  // server wrote them: the day, then the actual value up to the forecast
  // day, and the forecast and its bounds from it.
  function forecastLegend(i) {
    var f = text.forecast, p = f.paths[i];
    var first = f.days.length - data.forecasts.paths[i].actual.length; // the path's first day in f.days
    var asOf = p.actual.length - 1;
    function from(values, start) { return function (idx) { var v = values[idx - start]; return v === undefined ? none : v; }; }
    return [function (idx) { return f.days[first + idx]; }, from(p.actual, 0), from(p.value, asOf), from(p.lower, asOf), from(p.upper, asOf)];
  }

  // forecastOptions draws path i: the actual values, the forecast, and
  // the 80 % band between its bounds.
  function forecastOptions(i, size) {
    var path = data.forecasts.paths[i], head = text.forecast.head, cells = forecastLegend(i);
    function legend(j) {
      return function (u, v, si, idx) { return idx === null || idx === undefined ? none : cells[j](idx); };
    }
    var series = [
      { label: head[0], value: legend(0) },
      { label: head[1], stroke: palette[0], width: 2, value: legend(1) },
      { label: head[2], stroke: palette[1], width: 2, dash: [6, 4], value: legend(2) },
      { label: head[3], stroke: palette[1] + '66', width: 1, value: legend(3) },
      { label: head[4], stroke: palette[1] + '66', width: 1, value: legend(4) }
    ];
    return {
      width: size.width, height: size.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) {
        return path.unit === 'pct' ? [0, 100] : [0, max > 0 ? max * 1.05 : 1];
      } } },
      axes: [{ label: 'day (UTC)', labelSize: 20 },
        { label: path.unit === 'pct' ? '% of active installations' : 'installations', labelSize: 20, size: 56 }],
      series: series,
      bands: [{ series: [4, 3], fill: palette[1] + '33' }],
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true }
    };
  }

  function forecastData(path) {
    var first = daySeconds(path.from);
    return [path.actual.map(function (_, i) { return first + i * 86400; }), path.actual, path.value, path.lower, path.upper];
  }

  var plots = {};
  var drawn = 0;

  function show(id, rows, build) {
    var el = $('chart-' + id);
    var empty = rows === 0;
    $('empty-' + id).hidden = !empty;
    el.hidden = empty;
    if (plots[id]) { plots[id].destroy(); delete plots[id]; }
    if (empty) { return; }
    plots[id] = build(el, plotSize(el));
    drawn++;
  }

  function showBars(id, chart) {
    show(id, chart.rows, function (el, size) {
      var spec = chart.spec;
      if (size.width < 500 && spec.labels.length > 8) {
        spec.labels = spec.labels.slice(0, 8);
        spec.series.forEach(function (s) { s.values = s.values.slice(0, 8); });
      }
      var xs = spec.labels.map(function (_, i) { return i; });
      return new uPlot(barOptions(spec, size), [xs].concat(spec.series.map(function (s) { return s.values; })), el);
    });
  }

  // seriesSelect puts the forecast series chooser in the forecasts card.
  function seriesSelect(paths) {
    var label = document.createElement('label');
    label.className = 'series-choice';
    label.appendChild(document.createTextNode('Series '));
    var select = document.createElement('select');
    select.id = 'series';
    paths.forEach(function (p, i) { select.add(new Option(p.series, String(i))); });
    label.appendChild(select);
    var card = $('card-forecasts');
    card.insertBefore(label, $('chart-forecasts'));
    select.addEventListener('change', drawForecast);
    return select;
  }

  var select = null;

  function drawForecast() {
    var paths = data.forecasts.paths;
    show('forecasts', paths.length, function (el, size) {
      var i = Number(select.value) || 0;
      return new uPlot(forecastOptions(i, size), forecastData(paths[i]), el);
    });
  }

  function drawAll() {
    drawn = 0;
    showBars('priorities', priorities());
    showBars('advice', advice());
    showBars('patterns', patterns());
    if (!select && data.forecasts.paths.length > 0) { select = seriesSelect(data.forecasts.paths); }
    drawForecast();
    main.setAttribute('data-drawn', String(drawn));
  }

  // The controls apply on change: the page is rendered for them.
  ['days', 'min_support', 'as_of'].forEach(function (id) {
    $(id).addEventListener('change', function () { $('controls').submit(); });
  });
  $('apply').hidden = true;
  var resizeTimer = null;
  var lastWidth = window.innerWidth;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (window.innerWidth !== lastWidth) { lastWidth = window.innerWidth; drawAll(); }
    }, 100);
  });
  drawAll();
}());
