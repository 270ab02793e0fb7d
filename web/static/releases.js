/* IndexPilot analytics: the Releases view's script.
 *
 * The server renders the release table and the anomaly list, so the page
 * is complete without this file. The script draws two kinds of charts
 * from the insights API: each version's error rate by day of age, and
 * each anomaly's series around its day against the band it was judged
 * by. It formats no table numbers (the server does); chart axes and
 * legends only.
 *
 * Rules, as in dashboard.js: data strings (versions, error types) are set
 * with textContent or drawn on a canvas, never parsed as HTML; no inline
 * style or script.
 */
window.IndexPilot.page('releases-view', function (main, uPlot) {
  'use strict';

  var days = Number(main.getAttribute('data-days')) || 30;
  var palette = ['#1f5fa8', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#8c6d31', '#6b6ecf'];

  function $(id) { return document.getElementById(id); }
  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }
  function dayOf(ts) { return new Date(ts * 1000).toISOString().slice(0, 10); }
  function pct(f) { return f === null || f === undefined ? '\u2013' : (Math.round(f * 1000) / 10).toFixed(1) + ' %'; }
  function num(f) { return f === null || f === undefined ? '\u2013' : (Math.round(f * 100) / 100).toLocaleString('en-US'); }

  function plotSize(el, height) {
    return { width: Math.max(240, Math.floor(el.clientWidth)), height: height };
  }

  function getJSON(path) {
    return fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { throw new Error(path + ': ' + r.status); }
      return r.json();
    });
  }

  // ---- Error rate by day of age ----

  function ageChart(releases) {
    var el = $('chart-age');
    var shown = releases.filter(function (r) { return r.by_age && r.by_age.length > 0; }).slice(0, palette.length);
    if (shown.length === 0) {
      el.textContent = 'No version was released within the stored history.';
      return;
    }
    var maxAge = 0;
    shown.forEach(function (r) { r.by_age.forEach(function (p) { maxAge = Math.max(maxAge, p.age); }); });
    maxAge = Math.min(maxAge, 60);
    var xs = [];
    for (var a = 1; a <= maxAge; a++) { xs.push(a); }
    var data = [xs];
    var series = [{ label: 'Day of age', value: function (u, v) { return v === null ? '\u2013' : 'day ' + v; } }];
    shown.forEach(function (r, i) {
      var ys = xs.map(function () { return null; });
      r.by_age.forEach(function (p) { if (p.age <= maxAge) { ys[p.age - 1] = p.error_rate; } });
      data.push(ys);
      series.push({ label: r.version + ' (' + r.recommendation + ')', stroke: palette[i], width: r.recommendation === 'rollback' ? 3 : 1.5,
        dash: r.recommendation === 'rollback' ? [] : undefined, spanGaps: true, value: function (u, v) { return pct(v); } });
    });
    var size = plotSize(el, 260);
    el.textContent = '';
    new uPlot({
      width: size.width, height: size.height, series: series,
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [{ label: 'day after the version was first seen', labelSize: 20 },
             { label: '% of reports with an error', labelSize: 20, size: 56,
               values: function (u, s) { return s.map(function (v) { return v === null ? '' : (v * 100).toFixed(0); }); } }],
      cursor: { drag: { x: false, y: false } }, legend: { show: true, live: true }
    }, data, el);
  }

  // ---- Anomalies, each against its band ----

  function rateMetric(m) { return /_rate$/.test(m); }

  function anomalyChart(a, i) {
    var el = $('anomaly-chart-' + i);
    if (!el || !a.series) { return; }
    var s = a.series;
    var fmt = rateMetric(a.metric) ? pct : num;
    var xs = s.days.map(daySeconds);
    var marked = s.days.map(function (d, k) { return d === a.day ? s.values[k] : null; });
    var data = [xs, s.lower, s.upper, s.expected, s.values, marked];
    var size = plotSize(el, 180);
    var line = function (label, color, width, dash) {
      return { label: label, stroke: color, width: width, dash: dash, spanGaps: false, value: function (u, v) { return fmt(v); } };
    };
    var lower = line('band low', '#9bb7d4', 1), upper = line('band high', '#9bb7d4', 1);
    var point = line('anomaly', '#b42318', 0);
    point.paths = function () { return null; };
    point.points = { show: true, size: 9, fill: '#b42318', stroke: '#fff', width: 2, space: 0 };
    var value = line('value', '#1b1f24', 2);
    value.points = { show: true, size: 4 };
    el.textContent = '';
    new uPlot({
      width: size.width, height: size.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      series: [{ label: 'Day (UTC)', value: function (u, ts) { return ts === null ? '\u2013' : dayOf(ts); } },
               lower, upper, line('expected', '#1f5fa8', 1, [4, 4]), value, point],
      bands: [{ series: [2, 1], fill: '#1f5fa81f' }],
      scales: { x: { time: true } },
      axes: [{}, { size: 64, values: function (u, sp) { return sp.map(function (v) { return v === null ? '' : fmt(v); }); } }],
      cursor: { drag: { x: false, y: false } }, legend: { show: true, live: true }
    }, data, el);
  }

  function load() {
    var q = '?days=' + encodeURIComponent(days);
    Promise.all([getJSON('/api/v1/insights/releases' + q), getJSON('/api/v1/insights/anomalies' + q)]).then(function (res) {
      ageChart(res[0].releases);
      res[1].anomalies.forEach(anomalyChart);
      main.dataset.loads = String(Number(main.dataset.loads || 0) + 1);
    }).catch(function (err) {
      main.dataset.error = String(err);
      var p = document.createElement('p');
      p.className = 'error';
      p.setAttribute('role', 'alert');
      p.textContent = 'The charts could not be loaded (' + err.message + '); the tables above are current.';
      main.appendChild(p);
    });
  }

  load();
});
