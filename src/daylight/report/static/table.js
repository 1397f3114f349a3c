/* The central table: sort, filter, search and download the current view, in plain JavaScript.
   Without JavaScript the whole table is in the HTML; this only adds controls. */
(function () {
  "use strict";
  var table = document.getElementById("organizations");
  var form = document.getElementById("filters");
  if (!table || !form) return;
  /* The rows are split across blocks of tables (see organizations.html); each block keeps its
     number of rows when the table is sorted. */
  var bodies = Array.prototype.slice.call(document.querySelectorAll("table.orgs > tbody"));
  var sizes = bodies.map(function (b) { return b.rows.length; });
  var blocks = bodies.map(function (b) { return b.closest(".chunk"); });
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.orgs > tbody > tr"));
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var fields = headers.map(function (th) { return th.getAttribute("data-field"); });
  var count = document.getElementById("count");
  var AGENCY = { law_enforcement: true, immigration_enforcement: true };

  function cell(row, field) {
    var td = row.querySelector('td[data-field="' + field + '"], td[data-derived="' + field + '"]');
    return td ? td.textContent : "";
  }
  /* Values read once, at the first sort or filter (not at load: 10,000 rows take a while to
     read, and most readers only look): the table is then filtered on every keystroke. */
  var data = null;
  function buildIndex() {
    if (data) return;
    data = rows.map(function (row) {
      return {
        row: row,
        name: cell(row, "organization_name").toLowerCase(),
        sector: cell(row, "sector"),
        supports: cell(row, "supports"),
        capabilities: cell(row, "capabilities").split(";"),
        kinds: cell(row, "support_kinds").split(";"),
        amount: Number(cell(row, "support_usd")) || 0,
        state: cell(row, "state")
      };
    });
  }

  function apply() {
    buildIndex();
    var q = form.q.value.trim().toLowerCase();
    var group = form.group.value, sector = form.sector.value;
    var capability = form.capability.value, state = form.state.value;
    var kind = form.kind.value, least = Number(form.min.value) || 0;
    var shown = 0;
    for (var i = 0; i < data.length; i++) {
      var d = data[i];
      var ok = (!q || d.name.indexOf(q) !== -1) &&
        (!sector || d.sector === sector) &&
        (!state || d.state === state) &&
        (!capability || d.capabilities.indexOf(capability) !== -1) &&
        (!kind || d.kinds.indexOf(kind) !== -1) &&
        (!least || d.amount >= least) &&
        (!group || (group === "agency" ? AGENCY[d.sector] === true : (!AGENCY[d.sector] && d.supports !== "")));
      if (d.row.hidden === ok) d.row.hidden = !ok;
      if (ok) shown++;
    }
    bodies.forEach(function (body, i) {
      if (!blocks[i]) return;
      var any = false;
      for (var r = 0; r < body.rows.length && !any; r++) any = !body.rows[r].hidden;
      blocks[i].hidden = !any;
    });
    count.textContent = "Showing " + shown.toLocaleString("en-US") + " of " +
      data.length.toLocaleString("en-US") + " organisations.";
    var params = new URLSearchParams();
    ["q", "group", "sector", "capability", "kind", "min", "state"].forEach(function (k) {
      if (form[k].value) params.set(k, form[k].value);
    });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  function sortBy(index, th) {
    var field = fields[index];
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    buildIndex();
    headers.forEach(function (h) { if (h !== th && h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = data.map(function (d, i) {
      var text = cell(d.row, field);
      return { d: d, i: i, key: numeric ? Number(text) : text.toLowerCase() };
    });
    keyed.sort(function (a, b) {
      var c = a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i;
      return ascending ? c : -c;
    });
    data = keyed.map(function (k) { return k.d; });
    var next = 0;
    bodies.forEach(function (body, i) {
      var fragment = document.createDocumentFragment();
      for (var n = 0; n < sizes[i]; n++) fragment.appendChild(data[next++].row);
      body.appendChild(fragment);
    });
    apply();
  }

  headers.forEach(function (th, index) {
    if (!fields[index]) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.setAttribute("aria-sort", "none");
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(index, th); });
  });

  function csvCell(text) {
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  document.getElementById("download-view").addEventListener("click", function () {
    var columns = fields.filter(Boolean);
    var lines = [["row_id", "log_index"].concat(columns).join(",")];
    buildIndex();
    data.forEach(function (d) {
      if (d.row.hidden) return;
      lines.push([d.row.getAttribute("data-row-id"), d.row.getAttribute("data-log-index")]
        .concat(columns.map(function (f) { return csvCell(cell(d.row, f)); })).join(","));
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "organizations-view.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  var params = new URLSearchParams(location.search);
  ["q", "group", "sector", "capability", "kind", "min", "state"].forEach(function (k) {
    if (params.has(k)) form[k].value = params.get(k);
  });
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.hidden = false;
  if (params.toString()) apply();
})();
