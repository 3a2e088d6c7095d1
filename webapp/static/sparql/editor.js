// The SPARQL editor: highlighting, examples, running the query, rendering results.
// Every piece of data goes into the page as text (textContent), never parsed as markup.
"use strict";

(function () {
  const KEYWORDS = new Set((
    "BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT DESCRIBE ASK FROM NAMED WHERE ORDER BY " +
    "ASC DESC LIMIT OFFSET VALUES OPTIONAL GRAPH SERVICE SILENT BIND UNDEF MINUS FILTER " +
    "UNION EXISTS NOT IN GROUP HAVING COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR " +
    "INSERT DELETE DATA WITH USING LOAD CLEAR CREATE DROP COPY MOVE ADD TO DEFAULT ALL " +
    "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT " +
    "STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR " +
    "MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 " +
    "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX " +
    "SUBSTR REPLACE TRUE FALSE A LATERAL"
  ).split(" "));
  // One alternation per token class; the first group that matches names the class.
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                          // 1 comment
    "('''[\\s\\S]*?'''|\"\"\"[\\s\\S]*?\"\"\"|'(?:[^'\\\\\\n]|\\\\.)*'|\"(?:[^\"\\\\\\n]|\\\\.)*\")", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                            // 3 IRI
    "([?$][\\w]+)",                                        // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:[\\w.:%-]*)",                  // 5 prefixed name
    "([A-Za-z_]\\w*)",                                     // 6 word
    "(\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?)",                // 7 number
  ].join("|"), "g");
  const CLASSES = [null, "tok-comment", "tok-string", "tok-iri", "tok-var", "tok-pname", "tok-word", "tok-number"];

  function highlight(text, target) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
      if (match[0] === "") { TOKEN.lastIndex += 1; continue; }
      if (match.index > last) fragment.append(document.createTextNode(text.slice(last, match.index)));
      let group = 1;
      while (match[group] === undefined) group += 1;
      let cls = CLASSES[group];
      if (group === 6) cls = KEYWORDS.has(match[0].toUpperCase()) ? "tok-keyword" : null;
      if (cls) {
        const span = document.createElement("span");
        span.className = cls;
        span.textContent = match[0];
        fragment.append(span);
      } else {
        fragment.append(document.createTextNode(match[0]));
      }
      last = match.index + match[0].length;
    }
    fragment.append(document.createTextNode(text.slice(last) + "\n"));
    target.replaceChildren(fragment);
  }

  function queryKind(text) {
    const body = text.replace(/#[^\n]*/g, " ").replace(/<[^>\s]*>/g, "<>");
    const match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(body);
    return match ? match[1].toUpperCase() : "SELECT";
  }

  function endpointUrl(params) {
    return window.location.pathname + "?" + new URLSearchParams(params).toString();
  }

  function termText(term) {
    if (term === undefined) return "";
    if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
    if (term.type === "bnode") return "_:" + term.value;
    if (term.type === "triple") return "<< " + termText(term.value.subject) + " " + termText(term.value.predicate) + " " + termText(term.value.object) + " >>";
    return term.value;
  }

  function renderTable(table, data) {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    if (data.boolean !== undefined) {
      const cell = document.createElement("th");
      cell.textContent = "boolean";
      head.append(cell);
      table.createTBody().insertRow().insertCell().textContent = String(data.boolean);
      return 1;
    }
    const vars = data.head.vars || [];
    for (const name of vars) {
      const cell = document.createElement("th");
      cell.textContent = name;
      head.append(cell);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const name of vars) {
        const cell = row.insertCell();
        const term = binding[name];
        cell.textContent = termText(term);
        if (term && term.type === "uri") cell.className = "iri";
      }
    }
    return data.results.bindings.length;
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("editor");
    const textarea = document.getElementById("query");
    const pre = document.getElementById("highlight");
    const status = document.getElementById("status");
    const table = document.getElementById("results");
    const graphOutput = document.getElementById("graph-output");
    const downloads = document.getElementById("downloads");
    const share = document.getElementById("share");
    const format = document.getElementById("format");

    function refresh() {
      highlight(textarea.value, pre);
      pre.scrollTop = textarea.scrollTop;
      pre.scrollLeft = textarea.scrollLeft;
      share.href = endpointUrl({ query: textarea.value });
      const graph = ["CONSTRUCT", "DESCRIBE"].includes(queryKind(textarea.value));
      for (const link of document.querySelectorAll("a.download")) {
        link.href = endpointUrl({ query: textarea.value, format: link.dataset.format });
        link.hidden = (link.dataset.kind === "graph") !== graph;
      }
    }

    async function run() {
      const query = textarea.value;
      const graph = ["CONSTRUCT", "DESCRIBE"].includes(queryKind(query));
      window.history.replaceState(null, "", endpointUrl({ query: query }));
      status.textContent = "Running…";
      table.replaceChildren();
      graphOutput.hidden = true;
      const started = performance.now();
      try {
        const response = await fetch(form.action, {
          method: "POST",
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": graph ? "text/turtle" : "application/sparql-results+json",
          },
          body: new URLSearchParams({ query: query }),
        });
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (!response.ok) {
          status.textContent = "Error " + response.status + ": " + (await response.text());
          return;
        }
        const truncated = response.headers.get("X-KG-Truncated") === "true";
        const note = truncated ? " (truncated: the result was cut at the row limit)" : "";
        if (graph) {
          graphOutput.textContent = await response.text();
          graphOutput.hidden = false;
          status.textContent = "Graph in " + seconds + " s" + note;
        } else {
          const count = renderTable(table, await response.json());
          status.textContent = count + " result(s) in " + seconds + " s" + note;
        }
        downloads.hidden = false;
      } catch (error) {
        status.textContent = "Request failed: " + error;
      }
    }

    textarea.addEventListener("input", refresh);
    textarea.addEventListener("scroll", refresh);
    form.addEventListener("submit", function (event) {
      if (format.value === "") {
        event.preventDefault();
        run();
      }
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
    for (const button of document.querySelectorAll("button.example")) {
      button.addEventListener("click", function () {
        textarea.value = button.dataset.query;
        refresh();
        run();
      });
    }
    document.getElementById("insert-prefixes").addEventListener("click", function () {
      textarea.value = document.getElementById("prefixes").textContent + "\n\n" + textarea.value;
      refresh();
    });
    refresh();
    if (textarea.value.trim() !== "") run();
  });
})();
