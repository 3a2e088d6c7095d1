/* The partnership-graph viewer, on the vendored vis-network (no CDN, no inline script).
 *
 * Every name from the data reaches the page as text: node labels are drawn on the canvas,
 * tooltips are DOM elements filled with textContent, the side panel is built with
 * createElement/textContent. Nothing from the data is ever assigned to innerHTML.
 *
 * Two modes, from the container's data-mode: "viewer" (/graph: overview, filters, search,
 * expand, export) and "page" (an entity page: the entity's neighbourhood; clicking a node
 * opens its page, clicking an edge shows its sentence).
 */
(function () {
  "use strict";

  var container = document.getElementById("network");
  if (!container || typeof vis === "undefined") { return; }
  var mode = container.getAttribute("data-mode") || "viewer";
  var panel = document.getElementById("panel");
  var note = document.getElementById("note");

  var STYLE = {
    org: { shape: "box", color: { background: "#cfe3f6", border: "#1f77b4" } },
    person: { shape: "ellipse", color: { background: "#ffe0c2", border: "#ff7f0e" } },
    agreement: { shape: "diamond", size: 14, color: { background: "#cdeccd", border: "#2ca02c" } },
    area: { shape: "hexagon", size: 12, color: { background: "#e6dcf2", border: "#9467bd" } },
    release: { shape: "square", size: 11, color: { background: "#e4e4e4", border: "#7f7f7f" } },
    more: { shape: "box", color: { background: "#ffffff", border: "#999999" } }
  };

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var remaining = {};  // node id -> {next: offset, more: count}

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function link(item) {
    var a = el("a", item.label);
    a.href = item.url;
    return a;
  }

  function tooltip(lines) {
    var box = el("div");
    lines.forEach(function (line) { box.appendChild(el("div", line)); });
    return box;
  }

  function short(text) {
    return text.length > 48 ? text.slice(0, 46) + "\u2026" : text;
  }

  function toNode(n) {
    var s = STYLE[n.group] || STYLE.more;
    return {
      id: n.id, label: short(n.label), group: n.group, shape: s.shape, size: s.size,
      color: s.color, title: tooltip([n.type + ": " + n.label, "double-click to expand"]),
      kg: { label: n.label, type: n.type }
    };
  }

  function toEdge(e) {
    return {
      id: e.id, from: e.from, to: e.to, label: e.label,
      title: tooltip([e.label + (e.evidence ? " (click for the sentence)" : "")]),
      kg: { rel: e.rel, evidence: e.evidence }
    };
  }

  function clearPanel() {
    if (!panel) { return null; }
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    return panel;
  }

  function fetchJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || ("HTTP " + r.status)); }
        return body;
      });
    });
  }

  function showError(err) {
    var p = clearPanel();
    if (p) { p.appendChild(el("p", "Could not load: " + err.message, "error")); }
  }

  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    autoResize: true,
    layout: { randomSeed: 7 },  // the same data gives the same picture on every load
    physics: {
      enabled: true, solver: "barnesHut",
      barnesHut: { gravitationalConstant: -6000, springLength: 140, avoidOverlap: 0.2 },
      stabilization: { enabled: true, iterations: 200, updateInterval: 50, fit: true }
    },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: true },
    nodes: { font: { size: 13, face: "system-ui" }, borderWidth: 2, margin: 6 },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } }, smooth: false,
      font: { size: 10, align: "middle", color: "#444" }, color: { color: "#9a9a9a" }
    }
  });

  var settleStart = 0;
  function settle() {
    settleStart = performance.now();
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(200);
  }
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    container.setAttribute("data-settle-ms", String(Math.round(performance.now() - settleStart)));
    container.setAttribute("data-ready", "1");
  });

  function addPayload(payload) {
    nodes.update(payload.nodes.map(toNode));
    edges.update(payload.edges.map(toEdge));
  }

  function setMore(nodeId, payload) {
    var moreId = "more:" + nodeId;
    if (nodes.get(moreId)) { nodes.remove(moreId); }
    if (payload.more > 0) {
      remaining[nodeId] = { next: payload.next_offset, more: payload.more };
      nodes.add({ id: moreId, label: "+" + payload.more + " more", group: "more", shape: "box",
        color: STYLE.more.color, title: tooltip(["show the next neighbours"]), kg: { more: nodeId } });
      edges.add({ id: "more-edge:" + nodeId, from: nodeId, to: moreId, dashes: true });
    } else {
      delete remaining[nodeId];
    }
  }

  function batchSize() {
    var input = document.getElementById("f-batch");
    var n = input ? parseInt(input.value, 10) : 30;
    return n > 0 && n <= 200 ? n : 20;
  }

  function expand(nodeId, offset) {
    container.removeAttribute("data-ready");
    var url = "/graph/expand.json?node=" + encodeURIComponent(nodeId) +
      "&offset=" + (offset || 0) + "&limit=" + batchSize();
    return fetchJSON(url).then(function (payload) {
      addPayload(payload);
      setMore(nodeId, payload);
      if (note && mode === "viewer") {
        note.textContent = "Expanded " + payload.nodes[0].label + ": " +
          (payload.offset + payload.nodes.length - 1) + " of " + payload.total + " neighbours shown.";
      }
      settle();
      return payload;
    });
  }

  function load() {
    container.removeAttribute("data-ready");
    var params = new URLSearchParams();
    var form = document.getElementById("filters");
    if (form) {
      new FormData(form).forEach(function (value, key) { if (value) { params.append(key, value); } });
    }
    return fetchJSON("/graph/data.json?" + params.toString()).then(function (payload) {
      nodes.clear();
      edges.clear();
      remaining = {};
      addPayload(payload);
      if (note) {
        note.textContent = payload.truncated
          ? "Showing " + payload.shown + " of " + payload.total + " nodes, the best connected. Filter or expand nodes to see more."
          : "Showing all " + payload.shown + " nodes.";
      }
      settle();
    });
  }

  function showNode(nodeId) {
    var node = nodes.get(nodeId);
    if (!node) { return; }
    if (node.kg && node.kg.more) { expand(node.kg.more, remaining[node.kg.more].next).catch(showError); return; }
    if (mode === "page") { window.location.href = "/" + nodeId; return; }
    var p = clearPanel();
    p.appendChild(el("p", node.kg.type, "type"));
    p.appendChild(el("h3", node.kg.label));
    var facts = el("ul", null, "facts");
    p.appendChild(facts);
    var open = link({ label: "Open its page", url: "/" + nodeId });
    var button = el("button", "Expand neighbours");
    button.type = "button";
    button.id = "expand-node";
    button.addEventListener("click", function () { expand(nodeId, 0).catch(showError); });
    p.appendChild(button);
    p.appendChild(el("p")).appendChild(open);
    fetchJSON("/" + nodeId + ".json").then(function (data) {
      data.facts.forEach(function (f) { facts.appendChild(el("li", f.text)); });
    }).catch(showError);
  }

  function showEdge(edgeId) {
    var e = edges.get(edgeId);
    if (!e || !e.kg || !e.kg.rel) { return; }
    var url = "/graph/edge.json?rel=" + encodeURIComponent(e.kg.rel) +
      "&from=" + encodeURIComponent(e.from) + "&to=" + encodeURIComponent(e.to);
    fetchJSON(url).then(function (data) {
      var p = clearPanel();
      var head = el("h3");
      head.appendChild(link(data.from));
      head.appendChild(document.createTextNode(" \u2014 " + e.label + " \u2192 "));
      head.appendChild(link(data.to));
      p.appendChild(head);
      if (!data.evidence.length) { p.appendChild(el("p", "No sentence states this edge directly.")); }
      data.evidence.forEach(function (item) {
        var quote = el("blockquote", null, "evidence");
        var para = el("p");
        item.segments.forEach(function (seg) { para.appendChild(el(seg.mark ? "mark" : "span", seg.text)); });
        quote.appendChild(para);
        if (item.release) {
          var foot = el("footer", "from ");
          foot.appendChild(link(item.release));
          quote.appendChild(foot);
        }
        p.appendChild(quote);
      });
      data.releases.forEach(function (r) {
        var line = el("p", "Release: ");
        line.appendChild(link(r));
        p.appendChild(line);
      });
    }).catch(showError);
  }

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); } else if (params.edges.length) { showEdge(params.edges[0]); }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length && mode === "viewer") {
      var id = params.nodes[0];
      var node = nodes.get(id);
      if (node && !(node.kg && node.kg.more)) { expand(id, 0).catch(showError); }
    }
  });

  function download(name, href) {
    var a = el("a");
    a.download = name;
    a.href = href;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }

  function bind(id, event, handler) {
    var target = document.getElementById(id);
    if (target) { target.addEventListener(event, handler); }
  }

  bind("filters", "submit", function (ev) { ev.preventDefault(); load().catch(showError); });
  bind("fit", "click", function () { network.fit(); });
  bind("export-png", "click", function () {
    var canvas = container.querySelector("canvas");
    download("partnership-graph.png", canvas.toDataURL("image/png"));
  });
  bind("export-json", "click", function () {
    var plain = {
      nodes: nodes.get().filter(function (n) { return n.kg && !n.kg.more; })
        .map(function (n) { return { id: n.id, label: n.kg.label, type: n.kg.type }; }),
      edges: edges.get().filter(function (e) { return e.kg; })
        .map(function (e) { return { id: e.id, from: e.from, to: e.to, label: e.label, rel: e.kg.rel }; }),
      positions: network.getPositions()
    };
    var blob = new Blob([JSON.stringify(plain, null, 2)], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    download("partnership-graph.json", url);
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  });
  bind("find", "submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("find-q").value;
    fetchJSON("/search.json?q=" + encodeURIComponent(q)).then(function (data) {
      var p = clearPanel();
      p.appendChild(el("h3", data.results.length + " found"));
      var list = el("ul", null, "results");
      data.results.forEach(function (r) {
        var item = el("li");
        var b = el("button", r.label);
        b.type = "button";
        b.setAttribute("data-node", r.id);
        b.addEventListener("click", function () {
          var go = nodes.get(r.id) ? Promise.resolve() : expand(r.id, 0);
          go.then(function () {
            network.selectNodes([r.id]);
            network.focus(r.id, { scale: 1.1, animation: false });
            showNode(r.id);
          }).catch(showError);
        });
        item.appendChild(el("span", r.type + " ", "type"));
        item.appendChild(b);
        list.appendChild(item);
      });
      p.appendChild(list);
    }).catch(showError);
  });

  // For tests and the screenshot script: the network, read-only use only.
  window.kgViewer = { network: network, nodes: nodes, edges: edges };

  if (mode === "page") {
    expand(container.getAttribute("data-node"), 0).catch(showError);
  } else {
    load().catch(showError);
  }
})();
