/* The supporting-companies graph, drawn with Cytoscape.js from the JSON embedded in the page.
   Without JavaScript the table below the drawing holds every relationship and link. */
(function () {
  "use strict";
  var container = document.getElementById("graph");
  var source = document.getElementById("graph-data");
  if (!container || !source || typeof cytoscape !== "function") return;
  var elements = JSON.parse(source.textContent);
  container.textContent = "";
  container.setAttribute("data-drawing", "");  /* its height (style.css), before Cytoscape measures it */
  var cy = cytoscape({
    container: container,
    elements: elements.nodes.concat(elements.edges),
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 8, "text-wrap": "wrap",
        "text-max-width": 110, "text-valign": "bottom", "text-margin-y": 3, "min-zoomed-font-size": 7,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1,
        "width": 14, "height": 14, "background-color": "#1f5fa8", "color": "#1a1a1a" } },
      { selector: 'node[kind != "contractor"]', style: { "width": 22, "height": 22, "font-size": 9 } },
      { selector: 'node[kind = "contractor"]', style: { "shape": "square", "background-color": "#444" } },
      { selector: 'node[kind = "immigration_enforcement"]', style: { "background-color": "#b8420f" } },
      { selector: "edge", style: { "width": 1, "line-color": "#999", "target-arrow-shape": "triangle",
        "target-arrow-color": "#999", "curve-style": "straight" } }
    ],
    layout: { name: "cose", animate: false, randomize: false, numIter: 600,
              nodeDimensionsIncludeLabels: true, idealEdgeLength: function () { return 70; },
              nodeRepulsion: function () { return 40000; } }
  });
  cy.on("tap", "node", function (event) {
    var href = event.target.data("href");
    if (href) window.location.href = href;
  });
  container.setAttribute("data-drawn", String(cy.nodes().length));
  container.setAttribute("role", "img");
  var count = function (n, noun) { return n + " " + noun + (n === 1 ? "" : "s"); };
  container.setAttribute("aria-label", "Graph of " + count(elements.nodes.length, "organisation") +
    " and " + count(elements.edges.length, "relationship") +
    "; the same relationships are in the table below.");
})();
