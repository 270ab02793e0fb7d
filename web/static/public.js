/*
 * The public page's charts. The page is complete without this file: every
 * figure is in a table the server rendered and formatted. This script
 * only reads each table's values (data-value) and labels (data-label)
 * and draws them as bars with uPlot; it fetches nothing and stores
 * nothing.
 */
(function () {
  'use strict';
  var uPlot = window.uPlot;
  if (!uPlot) { return; }
  var color = '#1f5fa8';

  function rowsOf(id) {
    var rows = document.querySelectorAll('#table-' + id + ' tbody tr');
    return Array.prototype.map.call(rows, function (tr) {
      var v = tr.getAttribute('data-value');
      return { label: tr.getAttribute('data-label'), value: v === null ? null : Number(v), text: tr.cells[tr.cells.length - 1].textContent };
    });
  }

  function draw(el) {
    var id = el.id.slice('chart-'.length);
    var rows = rowsOf(id);
    el.textContent = '';
    if (rows.length === 0) { el.hidden = true; return; }
    var width = Math.max(240, Math.floor(el.clientWidth));
    var rotate = rows.length > 4 || width < 500;
    var what = document.querySelector('#table-' + id + ' thead th').textContent;
    var opts = {
      width: width, height: (width < 500 ? 200 : 240) + (rotate ? 40 : 0),
      scales: { x: { time: false, range: function () { return [-0.5, rows.length - 0.5]; } },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [
        { splits: function () { return rows.map(function (_, i) { return i; }); },
          values: function (u, splits) { return splits.map(function (i) { var l = rows[i] ? rows[i].label : ''; return l.length > 12 ? l.slice(0, 11) + '\u2026' : l; }); },
          rotate: rotate ? 50 : 0, size: rotate ? 92 : 36, gap: 4 },
        { label: el.getAttribute('data-unit'), labelSize: 20, size: 56 }
      ],
      series: [
        { label: what, value: function (u, i) { return i === null || !rows[i] ? '\u2013' : rows[i].label; } },
        { label: el.getAttribute('data-unit'), stroke: color, fill: color + 'cc',
          paths: uPlot.paths.bars({ size: [0.65, 64] }), points: { show: false },
          value: function (u, v, si, i) { return i === null || !rows[i] ? '\u2013' : rows[i].text; } }
      ],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: true, live: true }
    };
    new uPlot(opts, [rows.map(function (_, i) { return i; }), rows.map(function (r) { return r.value; })], el);
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll('.chart[data-unit]'));
  function drawAll() { charts.forEach(draw); }
  var timer = null;
  window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(drawAll, 150); });
  drawAll();
  document.getElementById('public').setAttribute('data-drawn', String(charts.length));
}());
