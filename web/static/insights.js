/* IndexPilot analytics: the Insights page's script.
 *
 * The server renders every table, so the page is complete without this
 * file; the answers it rendered them from are in the page as JSON
 * (#insights-data), and this script draws the four charts from them with
 * uPlot: feature priorities as ranked stacked bars, algorithms' success
 * rates with their 95 % intervals coloured by action, the most used
 * feature combinations, and one forecast at a time as a line with its
 * 80 % band past the forecast day.
 *
 * Rules (as dashboard.js): strings from the data are drawn on a canvas or
 * set with textContent, never parsed as HTML; no inline style or script.
 */
(function () {
  'use strict';

  var main = document.getElementById('insights');
  var source = document.getElementById('insights-data');
  if (!main || !source || typeof window.uPlot === 'undefined') {
    return;
  }
  var uPlot = window.uPlot;
  var data = JSON.parse(source.textContent);
  var palette = ['#1f5fa8', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'];
  var actionColors = { improve: '#d55e00', optimize: '#e69f00', ok: '#009e73', insufficient_data: '#8a939c' };
  var maxBars = 12;

  function $(id) { return document.getElementById(id); }
  function round1(f) { var r = Math.sign(f) * Math.round(Math.abs(f) * 10) / 10; return r === 0 ? 0 : r; }
  function formatPlain(f) { return round1(f).toFixed(1); }
  function formatPct(f) { return f === null || f === undefined ? '\u2013' : formatPlain(f) + ' %'; }
  function formatCount(n) { return n === null || n === undefined ? '\u2013' : Math.round(n).toLocaleString('en-US'); }
  function shortLabel(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }
  function dayOf(ts) { return new Date(ts * 1000).toISOString().slice(0, 10); }

  function plotSize(el) {
    var width = Math.max(240, Math.floor(el.clientWidth));
    return { width: width, height: width < 500 ? 220 : 260 };
  }

  // barOptions draws categories as bars; series with stack set are drawn
  // over one another, the first (the total) behind.
  function barOptions(spec, size) {
    var n = spec.labels.length;
    var rotate = n > 4 || size.width < 500;
    var series = [{ label: spec.xLabel, value: function (u, i) { return i === null ? '\u2013' : (spec.labels[i] || ''); } }];
    spec.series.forEach(function (s, i) {
      var color = s.color || palette[i % palette.length];
      series.push({
        label: s.label, stroke: color, fill: color + 'cc',
        paths: uPlot.paths.bars({ size: [0.65, 64] }), points: { show: false },
        value: function (u, v, si, idx) { return idx === null || idx === undefined ? '\u2013' : s.fmt(s.shown ? s.shown[idx] : v); }
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
        { label: spec.yLabel, labelSize: 20, size: 56, values: function (u, splits) { return splits.map(formatPlain); } }
      ],
      hooks: spec.draw ? { draw: [spec.draw] } : {},
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: true, live: true }
    };
  }

  // priorities: each feature's score as the stack of its weighted parts.
  function priorities() {
    var a = data.features, w = a.weights;
    var total = w.usage + w.performance + w.requests;
    var rows = a.features.slice(0, maxBars);
    var parts = [
      { label: 'Usage', key: 'usage', weight: w.usage / total },
      { label: 'Performance', key: 'performance', weight: w.performance / total },
      { label: 'Requests', key: 'requests', weight: w.requests / total }
    ];
    // Cumulative from the last part up, so the first bar is the score.
    var acc = rows.map(function () { return 0; });
    var stacked = [];
    for (var i = parts.length - 1; i >= 0; i--) {
      var p = parts[i];
      var own = rows.map(function (f) { return p.weight * f.breakdown[p.key]; });
      acc = acc.map(function (x, j) { return x + own[j]; });
      stacked.unshift({ label: p.label + ' (× ' + formatPlain(100 * p.weight) + ' %)', values: acc, shown: own, fmt: formatPlain });
    }
    return { rows: rows.length, spec: { labels: rows.map(function (f) { return f.feature; }), xLabel: 'Feature', yLabel: 'score (0\u2013100)',
      series: stacked, yMax: 100 } };
  }

  // advice: success rates coloured by action, with the 95 % interval as a
  // whisker and the threshold as a dashed line.
  function advice() {
    var a = data.algorithms;
    var rows = a.algorithms.filter(function (x) { return x.success_rate !== null; }).slice(0, maxBars);
    var actions = ['improve', 'optimize', 'ok', 'insufficient_data'];
    var series = actions.map(function (act) {
      return { label: act, color: actionColors[act], fmt: formatPct,
        values: rows.map(function (x) { return x.action === act ? 100 * x.success_rate : null; }) };
    }).filter(function (s) { return s.values.some(function (v) { return v !== null; }); });
    function draw(u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#1b1f24';
      ctx.lineWidth = Math.max(1, devicePixelRatio);
      rows.forEach(function (x, i) {
        if (i >= u.data[0].length) { return; } // narrow screens show fewer bars
        var cx = u.valToPos(i, 'x', true);
        var lo = u.valToPos(100 * x.success_rate_low, 'y', true), hi = u.valToPos(100 * x.success_rate_high, 'y', true);
        var half = 5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(cx, lo); ctx.lineTo(cx, hi);
        ctx.moveTo(cx - half, lo); ctx.lineTo(cx + half, lo);
        ctx.moveTo(cx - half, hi); ctx.lineTo(cx + half, hi);
        ctx.stroke();
      });
      var y = u.valToPos(100 * a.thresholds.min_success_rate, 'y', true);
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.strokeStyle = '#b42318';
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.restore();
    }
    return { rows: rows.length, spec: { labels: rows.map(function (x) { return x.algorithm; }), xLabel: 'Algorithm',
      yLabel: 'success rate (%)', series: series, yMax: 100, draw: draw } };
  }

  function patterns() {
    var rows = data.patterns.combinations.slice(0, maxBars);
    return { rows: rows.length, spec: { labels: rows.map(function (c) { return c.features.join(' + '); }), xLabel: 'Features',
      yLabel: '% of installations', yMax: 100,
      series: [{ label: 'Installations using at least these', values: rows.map(function (c) { return 100 * c.support; }), fmt: formatPct }] } };
  }

  // forecastOptions draws one path: the actual values, the forecast, and
  // the 80 % band between its bounds.
  function forecastOptions(path, size) {
    var fmt = path.unit === 'pct' ? formatPct : formatCount;
    var value = function (u, v) { return v === null || v === undefined ? '\u2013' : fmt(v); };
    return {
      width: size.width, height: size.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: function (u, min, max) {
        return path.unit === 'pct' ? [0, 100] : [0, max > 0 ? max * 1.05 : 1];
      } } },
      axes: [{ label: 'day (UTC)', labelSize: 20 },
        { label: path.unit === 'pct' ? '% of active installations' : 'installations', labelSize: 20, size: 56,
          values: function (u, splits) { return splits.map(path.unit === 'pct' ? formatPlain : formatCount); } }],
      series: [
        { label: 'Day (UTC)', value: function (u, ts) { return ts === null ? '\u2013' : dayOf(ts); } },
        { label: 'Actual', stroke: palette[0], width: 2, value: value },
        { label: 'Forecast', stroke: palette[1], width: 2, dash: [6, 4], value: value },
        { label: '80 % low', stroke: palette[1] + '66', width: 1, value: value },
        { label: '80 % high', stroke: palette[1] + '66', width: 1, value: value }
      ],
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
      var path = paths[Number(select.value) || 0];
      return new uPlot(forecastOptions(path, size), forecastData(path), el);
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
