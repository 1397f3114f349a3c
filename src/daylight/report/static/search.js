/* Site search with Pagefind's own interface (pagefind/pagefind-ui.js, written at build time).
   Result links are made relative to this page's folder, so the report works wherever it is
   served (at the root of a host or under a path such as /report/). The organisation pages carry
   Pagefind filters (sector, state, capability, service, supports), shown beside the results; the
   address may preselect them, as the central table's does: search.html?q=...&state=CA. */
(function () {
  "use strict";
  if (typeof PagefindUI !== "function") return;
  if (location.protocol === "file:") {
    /* Pagefind loads its index with fetch and import(), which browsers refuse on file://. */
    var note = document.createElement("p");
    note.textContent = "Search needs the report served over HTTP (daylight report serve DIR). " +
      "Opened from disk, the central table on the Organisations page still finds, filters and sorts every organisation.";
    document.getElementById("search").appendChild(note);
    return;
  }
  var base = new URL(".", location.href).pathname;
  var FILTERS = ["sector", "state", "capability", "service", "supports"];
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: base + "pagefind/",
    baseUrl: base,
    showImages: false,
    showSubResults: true,
    translations: { placeholder: "Search organisations, agencies, evidence" }
  });
  var params = new URLSearchParams(location.search);
  var input = document.querySelector("#search input");
  if (input) input.id = "search-terms";  /* the page's visible label names it */
  var chosen = {};
  FILTERS.forEach(function (name) { if (params.getAll(name).length) chosen[name] = params.getAll(name); });
  if (Object.keys(chosen).length) ui.triggerFilters(chosen);
  if (input && params.get("q")) {
    input.value = params.get("q");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
})();
