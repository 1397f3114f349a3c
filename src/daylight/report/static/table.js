/* The central table: every row, sorted, filtered and searched, and the current view downloaded
   as CSV, in plain JavaScript.

   Without JavaScript the page's HTML holds the table (the first block of it for a large report,
   and every row on the pages by state and by kind). With it, the rows come from the compact
   table/organizations.js (written from the same report: its cells are the page's texts), a
   script that sets window.daylightTable and runs before this one (a script, not fetched JSON, so
   that the page works opened from disk, file://, where fetch is refused), and only the rows on screen are in the document ("virtual" rows: two spacer rows stand for the
   others), so 10,000 rows are ready as fast as 100. Each row is written as the HTML writes it:
   <tr data-row-id data-log-index> with <td data-field> (or data-derived) cells holding the CSV's
   text, and the proof links last. Printing writes every row of the current view first. */
(function () {
  "use strict";
  var table = document.getElementById("organizations");
  var form = document.getElementById("filters");
  if (!table || !form || !table.getAttribute("data-rows")) return;
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var count = document.getElementById("count");
  var AGENCY = { law_enforcement: true, immigration_enforcement: true };
  var FILTERS = ["q", "group", "sector", "capability", "kind", "min", "state"];
  var OVERSCAN = 40;           /* rows written above and below the screen */
  var rowHeight = 0;           /* measured from the first row written */
  var meta, data = [], view = [], first = -1, last = -1, printing = false;
  var index = {};              /* field -> column position in the JSON */

  function spacer() {
    var tr = document.createElement("tr");
    tr.className = "spacer";
    tr.setAttribute("aria-hidden", "true");
    var td = document.createElement("td");
    td.colSpan = headers.length;
    tr.appendChild(td);
    return tr;
  }
  var above = spacer(), below = spacer();

  function decode(json) {
    meta = json;
    meta.fields.forEach(function (f, i) { index[f] = i; });
    var values = meta.values, n = meta.fields.length;
    data = meta.rows.map(function (r, i) {
      var cells = new Array(n);
      for (var c = 0; c < n; c++) {
        var v = r[4 + c];
        cells[c] = values[c] ? values[c][v] : String(v);
      }
      return {
        id: r[0], logIndex: String(r[1]), page: r[2], entry: meta.entries[r[3]], cells: cells, order: i,
        name: cells[index.organization_name].toLowerCase(),
        capabilities: cells[index.capabilities].split(";"),
        kinds: cells[index.support_kinds].split(";"),
        amount: Number(cells[index.support_usd]) || 0
      };
    });
  }

  function rowElement(d) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-row-id", d.id);
    tr.setAttribute("data-log-index", d.logIndex);
    for (var c = 0; c < meta.fields.length; c++) {
      var td = document.createElement("td");
      td.setAttribute(meta.derived[c] ? "data-derived" : "data-field", meta.fields[c]);
      if (meta.numeric[c]) td.className = "n";
      var text = d.cells[c];
      if (c === index.organization_name) {
        var a = document.createElement("a");
        a.href = d.page;
        a.textContent = text;
        td.appendChild(a);
      } else {
        td.textContent = text;
      }
      if (text.length > 16) td.title = text;
      tr.appendChild(td);
    }
    var proof = document.createElement("td");
    var p = document.createElement("a");
    p.href = "proofs/" + d.id + ".tlog-proof";
    p.textContent = "proof";
    var e = document.createElement("a");
    e.href = d.entry;
    e.textContent = "#" + d.logIndex;
    proof.appendChild(p);
    proof.appendChild(document.createTextNode(" "));
    proof.appendChild(e);
    tr.appendChild(proof);
    return tr;
  }

  /* Write the rows on screen (all of the view when printing). */
  function render(force) {
    var start = 0, end = view.length;
    if (!printing) {
      var h = rowHeight || 32;
      var offset = -body.getBoundingClientRect().top;
      start = Math.max(0, Math.min(view.length, Math.floor(offset / h)) - OVERSCAN);
      end = Math.min(view.length, Math.max(0, Math.ceil((offset + window.innerHeight) / h)) + OVERSCAN);
      if (end < start) end = start;
    }
    if (!force && start === first && end === last) return;
    first = start;
    last = end;
    var fragment = document.createDocumentFragment();
    above.style.height = (start * (rowHeight || 32)) + "px";
    below.style.height = ((view.length - end) * (rowHeight || 32)) + "px";
    fragment.appendChild(above);
    for (var i = start; i < end; i++) {
      var tr = rowElement(view[i]);
      tr.setAttribute("aria-rowindex", String(i + 2));  /* row 1 is the header */
      fragment.appendChild(tr);
    }
    table.setAttribute("aria-rowcount", String(view.length + 1));
    fragment.appendChild(below);
    body.textContent = "";
    body.appendChild(fragment);
    if (!rowHeight && end > start && !printing) {
      rowHeight = body.rows[1].getBoundingClientRect().height || 32;
      render(true);
    }
  }

  var pending = false;
  function onScroll() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; render(false); });
  }

  function apply() {
    var q = form.q.value.trim().toLowerCase();
    var group = form.group.value, sector = form.sector.value;
    var capability = form.capability.value, state = form.state.value;
    var kind = form.kind.value, least = Number(form.min.value) || 0;
    var sc = index.sector, st = index.state, su = index.supports;
    view = data.filter(function (d) {
      var s = d.cells[sc];
      return (!q || d.name.indexOf(q) !== -1) &&
        (!sector || s === sector) &&
        (!state || d.cells[st] === state) &&
        (!capability || d.capabilities.indexOf(capability) !== -1) &&
        (!kind || d.kinds.indexOf(kind) !== -1) &&
        (!least || d.amount >= least) &&
        (!group || (group === "agency" ? AGENCY[s] === true : (!AGENCY[s] && d.cells[su] !== "")));
    });
    count.textContent = (view.length === data.length ? "" : "Showing " + view.length.toLocaleString("en-US") + " of ") +
      data.length.toLocaleString("en-US") + (data.length === 1 ? " organisation." : " organisations.");
    var params = new URLSearchParams();
    FILTERS.forEach(function (k) { if (form[k].value) params.set(k, form[k].value); });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    render(true);
  }

  function sortBy(th) {
    var field = th.getAttribute("data-field");
    var c = index[field];
    var numeric = meta.numeric[c];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    headers.forEach(function (h) { if (h !== th && h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = data.map(function (d, i) {
      var text = d.cells[c];
      return { d: d, i: i, key: numeric ? Number(text) : text.toLowerCase() };
    });
    keyed.sort(function (a, b) {
      var r = a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i;
      return ascending ? r : -r;
    });
    data = keyed.map(function (k) { return k.d; });
    apply();
  }

  function csvCell(text) {
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function download() {
    var lines = [["row_id", "log_index"].concat(meta.fields).join(",")];
    view.forEach(function (d) {
      lines.push([d.id, d.logIndex].concat(d.cells.map(csvCell)).join(","));
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "organizations-view.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function start(json) {
    decode(json);
    /* The HTML's rows (and their continuation blocks) give way to the virtual rows. */
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap .chunk, .nojs"), function (el) {
      el.remove();
    });
    table.classList.add("virtual");
    var byState = document.getElementById("by-state");  /* the filters as links: open without JS */
    if (byState) byState.open = false;
    headers.forEach(function (th) {
      if (!th.getAttribute("data-field")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.setAttribute("aria-sort", "none");
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(th); });
    });
    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (k) { if (params.has(k)) form[k].value = params.get(k); });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    document.getElementById("download-view").addEventListener("click", download);
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    window.addEventListener("beforeprint", function () { printing = true; render(true); });
    window.addEventListener("afterprint", function () { printing = false; render(true); });
    form.hidden = false;
    apply();
    /* When the controls work: read by bench/report/ (the table's "ready" time) and the tests. */
    table.setAttribute("data-ready", String(Math.round(performance.now())));
  }

  if (window.daylightTable && window.daylightTable.rows) {
    start(window.daylightTable);
    window.daylightTable = null;  /* decoded: the rows live in `data` now */
  } else {
    count.textContent += " (The table's controls could not load its rows from " +
      table.getAttribute("data-rows") + ".)";
  }
})();
