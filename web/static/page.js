/* IndexPilot analytics: what the chart pages' scripts share. The head
 * template (templates/head.html) loads it after uPlot and before the
 * page's own script.
 *
 * Rules, as in every page script: cells are set with textContent only,
 * never parsed as HTML; no inline style or script.
 */
(function () {
  'use strict';

  window.IndexPilot = {
    // page runs a page's script with the page's element of id and uPlot,
    // unless the page is another one or uPlot did not load: the page then
    // stays as the server rendered it.
    page: function (id, script) {
      var main = document.getElementById(id);
      if (main && typeof window.uPlot !== 'undefined') {
        script(main, window.uPlot);
      }
    },

    // setUpdated says in the page's status line when its figures were
    // last refreshed, and how often they are, and clears its alert.
    setUpdated: function (refreshSeconds) {
      var now = new Date();
      var t = document.createElement('time');
      t.id = 'updated';
      t.dateTime = now.toISOString();
      t.textContent = now.toISOString().slice(11, 19) + ' UTC';
      var status = document.getElementById('status');
      status.textContent = 'Updated ';
      status.appendChild(t);
      status.appendChild(document.createTextNode('; refreshes every ' + refreshSeconds + ' s.'));
      document.getElementById('alert').textContent = '';
    },

    // fillTable replaces a table's head and rows with the given texts.
    fillTable: function (table, head, rows) {
      var tr = document.createElement('tr');
      head.forEach(function (h) {
        var th = document.createElement('th');
        th.scope = 'col';
        th.textContent = h;
        tr.appendChild(th);
      });
      var body = document.createElement('tbody');
      rows.forEach(function (r) {
        var row = document.createElement('tr');
        r.forEach(function (cell) {
          var td = document.createElement('td');
          td.textContent = cell;
          row.appendChild(td);
        });
        body.appendChild(row);
      });
      table.tHead.textContent = '';
      table.tHead.appendChild(tr);
      table.replaceChild(body, table.tBodies[0]);
    }
  };
})();
