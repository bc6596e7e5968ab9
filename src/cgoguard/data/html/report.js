// cgoguard HTML report. Vanilla JS, no network. Every text from the report goes
// into the page through textContent or attributes, never as HTML.
(function () {
  "use strict";

  var S = JSON.parse(document.getElementById("cg-strings").textContent);
  var CONTEXT = JSON.parse(document.getElementById("cg-context").textContent);
  var doc = JSON.parse(document.getElementById("cg-data").textContent);
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  var CHUNK = 200; // rows rendered at a time; more on scroll or on "show more"
  var NUMBER = new Intl.NumberFormat(document.documentElement.lang);

  function t(key) {
    var text = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    for (var i = 1; i < arguments.length; i++) {
      text = text.split("{" + (i - 1) + "}").join(String(arguments[i]));
    }
    return text;
  }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var name in attrs) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) continue;
        if (name === "text") node.textContent = value;
        else if (name === "cls") node.className = value;
        else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : value);
      }
    }
    for (var j = 2; j < arguments.length; j++) add(node, arguments[j]);
    return node;
  }

  function add(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { add(node, c); });
    else node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // The labels shared with the other human-readable reports (cgoguard.reports.labels).
  function L(key) { return tOr("label:" + key, key); }

  function tOr(key, fallback) { return Object.prototype.hasOwnProperty.call(S, key) ? S[key] : fallback; }

  function num(n) { return NUMBER.format(n); }

  function link(hash, text, title) {
    return el("a", { href: "#" + hash, text: text, title: title });
  }

  // ---------------------------------------------------------------- the data

  var nodes = []; // every artifact, members included: {a, id, depth, parent, children}
  var byPath = Object.create(null);
  function walk(artifact, depth, parent) {
    var node = { a: artifact, id: nodes.length, depth: depth, parent: parent, children: [] };
    nodes.push(node);
    if (!(artifact.path in byPath)) byPath[artifact.path] = node.id;
    if (parent !== null) nodes[parent].children.push(node.id);
    (artifact.members || []).forEach(function (m) { walk(m, depth + 1, node.id); });
  }
  (doc.artifacts || []).forEach(function (a) { walk(a, 0, null); });

  var findings = []; // {f, id, node (index or null: across artifacts)}
  nodes.forEach(function (node) {
    (node.a.findings || []).forEach(function (f) { findings.push({ f: f, id: findings.length, node: node.id }); });
  });
  (doc.set_findings || []).forEach(function (f) { findings.push({ f: f, id: findings.length, node: null }); });

  var lintRun = CONTEXT.command === "lint"; // sources, not images: no hardening matrix
  var evidence = Array.isArray(doc.evidence) ? doc.evidence : null;

  function worst(list) {
    var best = -1;
    list.forEach(function (f) { best = Math.max(best, RANK[f.severity]); });
    return best;
  }
  nodes.forEach(function (node) {
    node.worst = worst(node.a.findings || []);
    node.vulns = (node.a.findings || []).filter(function (f) { return f.id === "CG230"; }).length;
  });

  // --------------------------------------------------- hardening matrix cells

  // The checks whose "not applicable" reason (artifact.checks, from comply) explains a null value.
  var COLUMN_CHECKS = {
    pie: ["CG101"], relro: ["CG102", "CG103"], bind_now: ["CG103"], nx: ["CG104"], canary: ["CG108"],
    fortify: ["CG109"], cet: ["CG110"], fips: ["CG301"], vulns: ["CG230"]
  };

  function naReason(a, column, fallback) {
    var na = a.checks && a.checks.not_applicable;
    if (na) {
      var ids = COLUMN_CHECKS[column] || [];
      for (var i = 0; i < ids.length; i++) if (na[ids[i]]) return na[ids[i]];
    }
    return fallback;
  }

  function cell(state, text, title) { return { state: state, text: text, title: title || "" }; }
  function na(a, column, fallback) { return cell("na", t("na"), naReason(a, column, fallback)); }
  function yesNo(value) { return value ? cell("good", t("yes")) : cell("bad", t("no")); }
  function kindOf(a) { return a.elf ? a.elf.kind || a.elf.type : ""; }

  var COLUMNS = [
    { key: "pie", label: "PIE", value: function (a, h) {
      return h.pie === null ? na(a, "pie", t("na_pie", kindOf(a))) : yesNo(h.pie);
    } },
    { key: "relro", label: "RELRO", value: function (a, h) {
      if (h.relro === null) return na(a, "relro", t("na_relocatable"));
      var state = { full: "good", partial: "warn", none: "bad" }[h.relro] || "warn";
      return cell(state, tOr("relro_" + h.relro, h.relro));
    } },
    { key: "bind_now", label: "BIND_NOW", value: function (a, h) {
      return h.bind_now === null ? na(a, "bind_now", t("na_relocatable")) : yesNo(h.bind_now);
    } },
    { key: "nx", label: "NX", value: function (a, h) {
      if (h.nx === null) return na(a, "nx", h.nx_detail || t("na_generic"));
      var c = yesNo(h.nx); c.title = h.nx_detail || ""; return c;
    } },
    { key: "canary", label: "canary", value: function (a, h) {
      if (h.canary === null) return na(a, "canary", h.canary_detail);
      var c = yesNo(h.canary); c.title = h.canary_detail; return c;
    } },
    { key: "fortify", label: "FORTIFY", value: function (a, h) {
      if (h.fortify === null) return na(a, "fortify", h.fortify_detail);
      var c = yesNo(h.fortify); c.title = h.fortify_detail; return c;
    } },
    { key: "cet", label: "CET", value: function (a, h) {
      var arm = a.elf && a.elf.machine === "aarch64";
      if (h.ibt === null || h.shstk === null) {
        return na(a, "cet", t("na_cet", a.elf ? a.elf.machine : "?"));
      }
      var names = arm ? ["BTI", "PAC"] : ["IBT", "SHSTK"];
      if (h.ibt && h.shstk) return cell("good", names.join("+"));
      if (h.ibt || h.shstk) return cell("warn", h.ibt ? names[0] : names[1], t("cet_partial"));
      return cell("bad", t("no"));
    } },
    { key: "fips", label: "FIPS", value: function (a) {
      if (!a.go) return na(a, "fips", t("na_not_go"));
      var fips = a.go.fips;
      if (!fips) return na(a, "fips", a.go.buildinfo_error || t("na_no_buildinfo"));
      if (fips.provider === "none") return cell("plain", t("fips_none"), t("fips_none_title"));
      var why = (fips.module ? ["GOFIPS140=" + fips.module] : []).concat(fips.evidence || []);
      return cell("info", fips.provider + " (" + fips.default_mode + ")", why.join("; "));
    } },
    { key: "vulns", label: "vulns", value: function (a, h, node) {
      if (!doc.summary || !doc.summary.vulndb) {
        return na(a, "vulns", (doc.summary && doc.summary.vulndb_note) || t("na_no_vulndb"));
      }
      if (!a.go) return na(a, "vulns", t("na_not_go"));
      return node.vulns ? cell("bad", num(node.vulns)) : cell("good", "0");
    } }
  ];
  var STATE_ORDER = { bad: 0, warn: 1, info: 2, plain: 3, good: 4, na: 5, none: 6 };

  function matrixCells(node) {
    var a = node.a;
    if (!node.cells) {
      node.cells = COLUMNS.map(function (col) {
        if (!a.hardening) return cell("none", "–", a.error ? t("unread") : t("no_image"));
        return col.value(a, a.hardening, node);
      });
    }
    return node.cells;
  }

  function kindText(a) {
    if (a.archive) return t("kind_archive", (a.members || []).length);
    if (a.container) return t("kind_container", a.container, (a.members || []).length);
    if (!a.elf) return a.error ? t("unread") : t("kind_source");
    var parts = [a.elf.kind || a.elf.type, a.elf.machine];
    if (a.go) parts.push("Go " + (a.go.build_mode || ""));
    return parts.join(" ").trim();
  }

  // ------------------------------------------------------- badges and chips

  function severityName(severity) { return tOr("sev_" + severity, severity); }

  function severityBadge(severity) {
    return el("span", { cls: "sev sev-" + severity, text: tOr("sev_" + severity, severity) });
  }

  function precisionBadge(f) {
    var v = f.vulnerability;
    if (!v || !v.precision) return null;
    return el("span", { cls: "prec prec-" + v.precision, text: tOr("prec_" + v.precision, v.precision), title: v.reason || "" });
  }

  // The relationship the evidence of a control reaches (satisfies ... none).
  function gradeBadge(grade) {
    return el("span", { cls: "grade grade-" + grade, text: L(grade || "none") });
  }

  // ------------------------------------------------------- header and summary

  function renderHeader() {
    var tool = doc.tool || {};
    add(clear(document.getElementById("top")), [
      el("h1", { text: t("title") }),
      el("p", { cls: "meta", text: t("generated_by", (tool.name || "cgoguard") + " " + (tool.version || ""), severityName(doc.fail_on || "high")) })
    ]);
  }

  function severityCounts() {
    var counts = {};
    SEVERITIES.forEach(function (s) { counts[s] = 0; });
    findings.forEach(function (x) { counts[x.f.severity] += 1; });
    return counts;
  }

  function renderSummary() {
    var sum = doc.summary || {};
    var counts = severityCounts();
    var box = clear(document.getElementById("summary"));
    var complete = sum.complete !== false;
    add(box, el("h2", { text: t("summary") }));
    add(box, el("p", { cls: "status " + (complete ? "complete" : "incomplete"), id: "status",
      text: complete ? t("complete") : t("incomplete") }));
    var chips = el("div", { cls: "counts", id: "severity-counts" });
    SEVERITIES.forEach(function (s) {
      add(chips, el("button", {
        type: "button", cls: "count sev-" + s, "data-sev": s,
        title: t("show_only", t("sev_" + s)),
        onclick: function () { onlySeverity(s); }
      }, el("span", { cls: "n", text: num(counts[s]) }), " ", t("sev_" + s)));
    });
    add(box, chips);
    var facts = el("dl", { cls: "facts" });
    function fact(label, value) { add(facts, [el("dt", { text: label }), el("dd", {}, value)]); }
    if (lintRun) fact(t("files_linted"), num(nodes.length));
    else {
      fact(t("artifacts"), num(sum.artifacts || 0));
      fact(t("members"), num(sum.members || 0));
      fact(t("skipped_not_elf"), num(sum.skipped_not_elf || 0));
      fact(t("skipped_duplicates"), num(sum.skipped_duplicates || 0));
      if (sum.skipped_special) fact(t("skipped_special"), num(sum.skipped_special));
    }
    fact(t("errors"), num(sum.errors || 0));
    fact(t("findings"), num(findings.length));
    fact(t("fail_on"), severityName(doc.fail_on || "high"));
    if (typeof sum.seconds === "number") fact(t("seconds"), sum.seconds.toFixed(2) + " s");
    if (!lintRun) {
      fact(t("vulndb"), sum.vulndb ? t("vulndb_matched", sum.vulndb) : t("vulndb_not", sum.vulndb_note || t("na_no_vulndb")));
    }
    add(box, facts);
    var missing = sum.missing || [];
    var unread = sum.unread || [];
    if (missing.length || unread.length) {
      var list = el("ul", { cls: "not-read", id: "not-read" });
      missing.forEach(function (p) { add(list, el("li", {}, el("code", { text: p }), " — ", t("missing"))); });
      unread.forEach(function (u) {
        if (missing.indexOf(u.path) >= 0) return; // said above
        var id = byPath[u.path];
        add(list, el("li", {}, id === undefined ? el("code", { text: u.path }) : link("artifact/" + id, u.path), " — ", u.error));
      });
      add(box, [el("h3", { text: t("not_checked") }), list]);
    }
  }

  // ------------------------------------------------------------ lazy tables

  // A table whose rows are built CHUNK at a time: the rest on scroll or click, all of them for print.
  // Its sort order lives in `state` ({sortKey, sortDir}), so that it survives a visit elsewhere.
  function LazyTable(container, columns, rowOf, countText, state) {
    this.container = container;
    this.columns = columns;
    this.rowOf = rowOf;
    this.countText = countText;
    this.state = state;
    this.items = [];
    this.shown = 0;
    this.build();
  }
  LazyTable.prototype.build = function () {
    var self = this;
    this.count = el("p", { cls: "count-line" });
    var head = el("tr");
    this.columns.forEach(function (col) {
      var th = el("th", { scope: "col", "data-key": col.key, title: col.title || null, cls: col.cls || null });
      if (col.sort) {
        add(th, el("button", { type: "button", cls: "sort", text: col.label,
          onclick: function () { self.sortBy(col.key); } }));
      } else add(th, col.label);
      add(head, th);
    });
    this.body = el("tbody");
    this.table = el("table", { cls: "data" }, el("thead", {}, head), this.body);
    this.more = el("button", { type: "button", cls: "more", onclick: function () { self.grow(); } });
    add(this.container, [this.count, el("div", { cls: "scroll" }, this.table), this.more]);
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; }) && self.shown < self.items.length) self.grow();
      }, { rootMargin: "600px" }).observe(this.more);
    }
  };
  LazyTable.prototype.sortBy = function (key) {
    if (this.state.sortKey === key) this.state.sortDir = -this.state.sortDir;
    else { this.state.sortKey = key; this.state.sortDir = 1; }
    this.apply(this.source);
  };
  LazyTable.prototype.apply = function (items) {
    this.source = items;
    var list = items.slice();
    var self = this;
    var sortKey = this.state.sortKey, sortDir = this.state.sortDir;
    var col = this.columns.find(function (c) { return c.key === sortKey; });
    if (col && col.sort) {
      var key = col.sort, dir = sortDir;
      list.sort(function (x, y) {
        var a = key(x), b = key(y);
        return (a < b ? -1 : a > b ? 1 : 0) * dir || x.id - y.id;
      });
    }
    this.columns.forEach(function (c) {
      var th = self.table.querySelector('th[data-key="' + c.key + '"]');
      th.setAttribute("aria-sort", c.key === sortKey ? (sortDir > 0 ? "ascending" : "descending") : "none");
    });
    this.items = list;
    this.shown = 0;
    clear(this.body);
    this.grow();
  };
  LazyTable.prototype.grow = function (all) {
    var end = all ? this.items.length : Math.min(this.items.length, this.shown + CHUNK);
    var frag = document.createDocumentFragment();
    for (var i = this.shown; i < end; i++) frag.appendChild(this.rowOf(this.items[i]));
    this.body.appendChild(frag);
    this.shown = end;
    this.count.textContent = this.countText(this.shown, this.items.length);
    this.table.setAttribute("data-shown", this.shown);
    this.table.setAttribute("data-total", this.items.length);
    var left = this.items.length - this.shown;
    this.more.hidden = left <= 0;
    this.more.textContent = t("show_more", num(Math.min(CHUNK, left)), num(left));
  };

  // ---------------------------------------------------------- matrix view

  var matrixState = { query: "", onlyFindings: false, failing: "", sortKey: null, sortDir: 1 };
  var matrixTable = null;

  function renderMatrix(box) {
    var search = el("input", { type: "search", id: "artifact-search", placeholder: t("search_artifacts"),
      value: matrixState.query, "aria-label": t("search_artifacts") });
    var only = el("input", { type: "checkbox", id: "only-findings" });
    only.checked = matrixState.onlyFindings;
    var failing = el("select", { id: "column-filter", "aria-label": t("filter_failing") },
      el("option", { value: "", text: t("all_artifacts") }),
      COLUMNS.map(function (c, i) { return el("option", { value: String(i), text: t("failing", c.label) }); }));
    failing.value = matrixState.failing;
    add(box, el("div", { cls: "filters" }, search, failing,
      el("label", {}, only, " ", t("only_with_findings"))));
    var columns = [
      { key: "path", label: t("col_artifact"), sort: function (n) { return n.a.path; } },
      { key: "kind", label: t("col_kind"), sort: function (n) { return kindText(n.a); } }
    ];
    COLUMNS.forEach(function (c, i) {
      columns.push({ key: c.key, label: c.key === "vulns" ? t("col_vulns") : c.key === "canary" ? t("col_canary") : c.label,
        cls: "flag", title: t("col_title_" + c.key),
        sort: function (n) { var x = matrixCells(n)[i]; return STATE_ORDER[x.state] * 1e6 + (x.state === "bad" ? -Number(x.text) || 0 : 0); } });
    });
    columns.push({ key: "findings", label: t("col_findings"), sort: function (n) { return -(n.worst * 1e6 + (n.a.findings || []).length); } });
    matrixTable = new LazyTable(box, columns, matrixRow, function (shown, total) {
      return t("showing_artifacts", num(shown), num(total), num(nodes.length));
    }, matrixState);
    matrixTable.table.id = "matrix";
    function refilter() {
      matrixState.query = search.value.trim().toLowerCase();
      matrixState.onlyFindings = only.checked;
      matrixState.failing = failing.value;
      matrixTable.apply(nodes.filter(matrixMatches));
    }
    failing.addEventListener("change", refilter);
    search.addEventListener("input", debounce(refilter));
    only.addEventListener("change", refilter);
    refilter();
  }

  function matrixMatches(node) {
    if (matrixState.onlyFindings && !(node.a.findings || []).length) return false;
    if (matrixState.failing !== "") {
      var state = matrixCells(node)[Number(matrixState.failing)].state;
      if (state !== "bad" && state !== "warn") return false;
    }
    return !matrixState.query || node.a.path.toLowerCase().indexOf(matrixState.query) >= 0;
  }

  function matrixRow(node) {
    var a = node.a;
    var row = el("tr", { "data-id": node.id, cls: a.error ? "error-row" : null });
    add(row, el("td", { cls: "path", style: node.depth ? "padding-left:" + (0.45 + node.depth * 1.1) + "rem" : null },
      link("artifact/" + node.id, a.path)));
    add(row, el("td", { cls: "kind", text: kindText(a) }));
    if (a.error && !a.hardening) {
      add(row, el("td", { cls: "error", colspan: COLUMNS.length, text: a.error }));
    } else {
      matrixCells(node).forEach(function (c) {
        add(row, el("td", { cls: "flag v-" + c.state, title: c.title || null, "data-state": c.state }, c.text));
      });
    }
    var count = (a.findings || []).length;
    add(row, el("td", { cls: "nfind" }, count ? [severityBadge(SEVERITIES[4 - node.worst]), " ", num(count)] : "0"));
    return row;
  }

  // -------------------------------------------------------- findings view

  // Most severe first until a column is clicked.
  var findingState = { severities: null, check: "", query: "", sortKey: "severity", sortDir: 1 };
  var findingTable = null;

  function artifactLabel(x) {
    if (x.node !== null) return nodes[x.node].a.path;
    return (x.f.artifacts || []).join(", ") || t("across_artifacts");
  }

  function whereText(x) {
    var loc = x.f.location;
    return loc ? loc.path + ":" + loc.line + ":" + loc.column : artifactLabel(x);
  }

  function renderFindings(box) {
    if (!findingState.severities) {
      findingState.severities = {};
      SEVERITIES.forEach(function (s) { findingState.severities[s] = true; });
    }
    var counts = severityCounts();
    var sevBox = el("div", { cls: "sev-filter", role: "group", "aria-label": t("filter_severity") });
    SEVERITIES.forEach(function (s) {
      add(sevBox, el("button", {
        type: "button", cls: "chip sev-" + s, "data-sev": s, "aria-pressed": String(!!findingState.severities[s]),
        onclick: function () {
          findingState.severities[s] = !findingState.severities[s];
          this.setAttribute("aria-pressed", String(findingState.severities[s]));
          refilter();
        }
      }, t("sev_" + s) + " (" + num(counts[s]) + ")"));
    });
    var ids = {};
    findings.forEach(function (x) { ids[x.f.id] = (ids[x.f.id] || 0) + 1; });
    var select = el("select", { id: "check-filter", "aria-label": t("filter_check") },
      el("option", { value: "", text: t("all_checks") }));
    Object.keys(ids).sort().forEach(function (id) {
      add(select, el("option", { value: id, text: id + " (" + num(ids[id]) + ")" }));
    });
    select.value = findingState.check;
    var search = el("input", { type: "search", id: "finding-search", placeholder: t("search_findings"),
      value: findingState.query, "aria-label": t("search_findings") });
    add(box, el("div", { cls: "filters" }, sevBox, select, search));
    findingTable = new LazyTable(box, [
      { key: "severity", label: t("col_severity"), sort: function (x) { return -RANK[x.f.severity]; } },
      { key: "id", label: t("col_check"), sort: function (x) { return x.f.id; } },
      { key: "message", label: t("col_message"), sort: function (x) { return x.f.title + " " + x.f.message; } },
      { key: "where", label: t("col_where"), sort: function (x) { return whereText(x); } }
    ], findingRow, function (shown, total) {
      return t("showing_findings", num(shown), num(total), num(findings.length));
    }, findingState);
    findingTable.table.id = "findings";
    function refilter() {
      findingState.check = select.value;
      findingState.query = search.value.trim().toLowerCase();
      findingTable.apply(findings.filter(findingMatches));
    }
    select.addEventListener("change", refilter);
    search.addEventListener("input", debounce(refilter));
    refilter();
  }

  function findingText(x) {
    if (x.text === undefined) {
      var f = x.f, v = f.vulnerability;
      var parts = [f.id, f.title, f.message, whereText(x)];
      if (v) parts.push(v.id, (v.aliases || []).join(" "), v.module, v.summary || "");
      x.text = parts.join("\n").toLowerCase();
    }
    return x.text;
  }

  function findingMatches(x) {
    if (!findingState.severities[x.f.severity]) return false;
    if (findingState.check && x.f.id !== findingState.check) return false;
    return !findingState.query || findingText(x).indexOf(findingState.query) >= 0;
  }

  function findingRow(x) {
    var f = x.f;
    var where = x.node !== null
      ? link("artifact/" + x.node, whereText(x))
      : el("span", { cls: "set", text: whereText(x) });
    return el("tr", { "data-id": x.id, "data-sev": f.severity },
      el("td", {}, severityBadge(f.severity)),
      el("td", { cls: "check" }, link("finding/" + x.id, f.id, f.title)),
      el("td", { cls: "message" }, el("span", { cls: "title", text: f.title }), " ", precisionBadge(f),
        el("div", { text: f.message })),
      el("td", { cls: "path" }, where));
  }

  function onlySeverity(severity) {
    findingState.severities = {};
    SEVERITIES.forEach(function (s) { findingState.severities[s] = s === severity; });
    findingState.check = "";
    findingState.query = "";
    go("findings");
  }

  // -------------------------------------------------------- controls view

  // Outcomes of a check on the subjects of an edge (cgoguard.model.Outcome), in display order.
  var OUTCOMES = ["passed", "failed", "reported", "not-applicable"];

  function controlResults(control) {
    var total = {};
    OUTCOMES.forEach(function (k) { total[k] = 0; });
    (control.edges || []).forEach(function (edge) {
      var results = edge.results || {};
      Object.keys(results).forEach(function (check) {
        OUTCOMES.forEach(function (k) { total[k] += results[check][k] || 0; });
      });
    });
    return total;
  }

  function resultBadge(result) {
    return el("span", { cls: "result result-" + result, text: L(result) });
  }

  function controlChecks(control) {
    var checks = [];
    (control.edges || []).forEach(function (edge) {
      (edge.checks || []).forEach(function (c) { if (checks.indexOf(c) < 0) checks.push(c); });
    });
    return checks;
  }

  // A prose field in the page's language: comply writes Chinese twins as <key>_zh.
  function prose(obj, key) {
    var zh = CONTEXT.lang === "zh" ? obj[key + "_zh"] : null;
    return zh && (!Array.isArray(zh) || zh.length) ? zh : obj[key];
  }

  function frameworkName(fw) {
    return (CONTEXT.lang === "zh" ? prose(fw, "title") : fw.title_en || fw.title) || fw.id || "";
  }

  function frameworkTitle(fw) {
    return frameworkName(fw) + (fw.edition ? " (" + fw.edition + ")" : "");
  }

  function renderControls(box) {
    add(box, el("p", { cls: "notice", text: L("disclaimer") }));
    evidence.forEach(function (entry, fi) {
      var fw = entry.framework || {};
      add(box, el("h3", { text: frameworkTitle(fw) }));
      var meta = [];
      if (fw.title && fw.title !== frameworkName(fw)) meta.push(fw.title); // as the framework names itself
      if (fw.text_status) meta.push(L("texts") + ": " + L(fw.text_status));
      if (fw.note) meta.push(prose(fw, "note"));
      if (meta.length) add(box, el("p", { cls: "meta", text: meta.join(" — ") }));
      var body = el("tbody");
      if (entry.counts) {
        // Each result count shows only the controls with that result; a second click shows all.
        var shown = null;
        add(box, el("p", { cls: "result-counts" }, Object.keys(entry.counts).map(function (k) {
          return [el("button", { type: "button", cls: "linklike", "data-result": k, "aria-pressed": "false",
            onclick: function () {
              shown = shown === k ? null : k;
              Array.prototype.forEach.call(body.rows, function (row) {
                row.hidden = shown !== null && row.getAttribute("data-result") !== shown;
              });
              Array.prototype.forEach.call(this.parentNode.querySelectorAll("button"), function (b) {
                b.setAttribute("aria-pressed", String(b.getAttribute("data-result") === shown));
              });
            } }, resultBadge(k), " ", num(entry.counts[k])), "  "];
        })));
      }
      (entry.controls || []).forEach(function (control, ci) {
        var r = controlResults(control);
        var here = "control/" + fi + "/" + ci;
        add(body, el("tr", { "data-control": control.id, "data-result": control.result || null },
          el("td", { cls: "check" }, link(here, control.id)),
          el("td", { text: control.control_point || control["class"] || "" }),
          el("td", {}, resultBadge(control.result)),
          el("td", {}, gradeBadge(control.grade)),
          el("td", { cls: "checks", text: controlChecks(control).join(", ") || "—" }),
          OUTCOMES.map(function (k) {
            if (k === "failed" && r.failed) {
              return el("td", { cls: "num v-bad" }, link(here, num(r.failed), t("show_failed")));
            }
            return el("td", { cls: "num" + (k === "passed" && r[k] ? " v-good" : ""), text: num(r[k]) });
          })));
      });
      add(box, el("div", { cls: "scroll" }, el("table", { cls: "data controls" },
        el("thead", {}, el("tr", {},
          [t("col_control"), t("col_control_point"), L("result"), L("grade"), L("checks")]
            .concat(OUTCOMES.map(L)).map(function (h) { return el("th", { scope: "col", text: h }); }))),
        body)));
    });
  }

  function subjectLink(path) {
    var id = byPath[path];
    return id === undefined ? el("code", { text: path }) : link("artifact/" + id, path);
  }

  function renderControl(box, fi, ci) {
    var entry = evidence[fi], control = entry && (entry.controls || [])[ci];
    if (!control) return notFound(box);
    var fw = entry.framework || {};
    add(box, [
      backLink("controls"),
      el("h2", {}, control.id + " ", resultBadge(control.result), " ", gradeBadge(control.grade)),
      el("p", { cls: "meta", text: frameworkTitle(fw) + (control.test_unit ? " — " + t("test_unit") + " " + control.test_unit : "") }),
      el("p", { cls: "notice", text: L("disclaimer") }),
      el("blockquote", { cls: "clause", text: control.text || "" })
    ]);
    add(box, factList([[t("ctl_class"), control["class"]], [t("ctl_control_point"), control.control_point],
      [t("ctl_addressable"), control.addressable ? tOr("addr_" + control.addressable, control.addressable) : null], [L("why_not"), prose(control, "why_not")]]));
    (control.edges || []).forEach(function (edge, ei) {
      var section = el("section", { cls: "edge" });
      add(section, el("h3", {}, (edge.checks || []).join(", ") + " — " + L(edge.relationship || "") + " ",
        edge.status ? resultBadge(edge.status) : null));
      var meta = [];
      if (edge.scope) meta.push(t("scope") + ": " + prose(edge, "scope"));
      if (edge.build_modes && edge.build_modes.length) meta.push(t("build_modes") + ": " + edge.build_modes.join(", "));
      if (edge.conditions && edge.conditions.length) meta.push(t("conditions") + ": " + edge.conditions.join(", "));
      if (meta.length) add(section, el("p", { cls: "meta", text: meta.join(" · ") }));
      if (edge.rationale) add(section, el("p", { text: prose(edge, "rationale") }));
      // The failures behind the failed counts: each subject with the check's message.
      var failures = edge.failures || (edge.failed_artifacts || []).map(function (p) { return { subject: p }; });
      var failedBox = el("div", { cls: "failed-list", hidden: true, id: "failed-" + ei },
        el("h4", { text: t("failed_artifacts") }),
        el("ul", {}, failures.map(function (f) {
          return el("li", {}, f.check ? [el("strong", { text: f.check }), " "] : null, subjectLink(f.subject),
            f.message ? [" — ", f.message] : null);
        })));
      var notEvaluated = edge.not_evaluated || {};
      var rows = Object.keys(edge.results || {}).map(function (check) {
        var r = edge.results[check];
        var failed = r.failed ? el("button", { type: "button", cls: "linklike failed-count", "aria-controls": "failed-" + ei,
          title: t("show_failed"), text: num(r.failed),
          onclick: function () { failedBox.hidden = !failedBox.hidden; } }) : "0";
        return el("tr", { "data-check": check }, el("td", { cls: "check", text: check }),
          OUTCOMES.map(function (k) {
            if (k === "failed") return el("td", { cls: "num" + (r.failed ? " v-bad" : "") }, failed);
            return el("td", { cls: "num" + (k === "passed" && r[k] ? " v-good" : ""), text: num(r[k] || 0) });
          }),
          el("td", { cls: "why", text: notEvaluated[check] ? L("not-evaluated") + ": " + notEvaluated[check] : "" }));
      });
      add(section, el("table", { cls: "data results" }, el("thead", {}, el("tr", {},
        [L("checks")].concat(OUTCOMES.map(L), [""]).map(function (h) {
          return el("th", { scope: "col", text: h });
        }))), el("tbody", {}, rows)));
      if (failures.length) add(section, failedBox);
      add(box, section);
    });
    listSection(box, t("missing_evidence"), prose(control, "missing"));
    listSection(box, L("assessor"), prose(control, "assessor_must_also"));
  }

  function listSection(box, title, items) {
    if (!items || !items.length) return;
    add(box, [el("h3", { text: title }), el("ul", {}, items.map(function (i) { return el("li", { text: i }); }))]);
  }

  // ------------------------------------------------------ drill-downs

  function backLink(view) {
    return el("p", { cls: "back" }, link(view, "← " + t("back_to_" + view)));
  }

  function notFound(box) { add(box, [backLink(defaultView()), el("p", { text: t("not_found") })]); }

  function factList(pairs) {
    var dl = el("dl", { cls: "facts" });
    pairs.forEach(function (p) {
      var v = p[1];
      if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return;
      if (Array.isArray(v)) v = v.join(", ");
      else if (typeof v === "boolean") v = v ? t("yes") : t("no");
      add(dl, [el("dt", { text: p[0] }), el("dd", {}, typeof v === "object" ? v : String(v))]);
    });
    return dl;
  }

  function renderArtifact(box, id) {
    var node = nodes[id];
    if (!node) return notFound(box);
    var a = node.a;
    add(box, backLink(defaultView()));
    var trail = [];
    for (var p = node.parent; p !== null; p = nodes[p].parent) trail.unshift(nodes[p]);
    if (trail.length) {
      add(box, el("p", { cls: "trail" }, t("inside"), " ", trail.map(function (n, i) {
        return [i ? " › " : "", link("artifact/" + n.id, n.a.path)];
      })));
    }
    add(box, el("h2", { cls: "path", text: a.path }));
    add(box, el("p", { cls: "meta", text: kindText(a) }));
    if (a.error) add(box, el("p", { cls: "error", text: a.error }));
    add(box, factList([[t("size"), a.size ? num(a.size) + " B" : null], ["SHA-256", a.sha256],
      [t("container"), a.container], [t("layer"), a.layer], [t("deleted"), a.deleted || null]]));
    if (a.hardening) {
      var h = a.hardening;
      var grid = el("div", { cls: "hgrid" });
      matrixCells(node).forEach(function (c, i) {
        add(grid, el("div", { cls: "hcell v-" + c.state }, el("strong", { text: COLUMNS[i].label }), " ", c.text,
          c.title ? el("div", { cls: "why", text: c.title }) : null));
      });
      add(box, [el("h3", { text: t("hardening") }), grid]);
      add(box, factList([
        ["RPATH", h.rpath], ["RUNPATH", h.runpath], ["TEXTREL", h.textrel], [t("rwx_segments"), h.rwx_segments || null],
        [t("stripped"), h.stripped], [t("debug_info"), h.debug_info], [t("build_id"), h.build_id],
        [t("static"), h.static], [t("system"), h.system], [t("language"), h.language], [t("c_code"), h.c_code],
        [t("fortified"), h.fortified], [t("fortifiable"), h.fortifiable]
      ]));
    }
    if (a.elf) {
      var e = a.elf;
      add(box, [el("h3", { text: "ELF" }), factList([
        [t("elf_type"), e.type + (e.kind ? " (" + e.kind + ")" : "")], [t("machine"), e.machine],
        [t("elf_class"), e["class"] + "-bit " + e.endian], [t("interpreter"), e.interpreter], ["SONAME", e.soname],
        ["NEEDED", e.needed], [t("comment"), e.comment], [t("go_build_id"), e.go_build_id],
        [t("exports"), (a.exports || []).length ? num(a.exports.length) : null],
        [t("imports"), (a.imports || []).length ? num(a.imports.length) : null]
      ])]);
    }
    if (a.go) renderGo(box, a);
    if (a.checks) {
      var naChecks = a.checks.not_applicable || {};
      add(box, [el("h3", { text: t("checks") }), factList([
        [L("passed"), a.checks.passed || []],
        [L("failed"), a.checks.failed || []],
        [L("reported"), a.checks.reported || []],
        [L("not-applicable"), Object.keys(naChecks).length ? el("ul", {}, Object.keys(naChecks).map(function (k) {
          return el("li", {}, el("strong", { text: k }), " ", naChecks[k]);
        })) : null]
      ])]);
    }
    var own = findings.filter(function (x) { return x.node === id; });
    var across = findings.filter(function (x) { return x.node === null && (x.f.artifacts || []).indexOf(a.path) >= 0; });
    add(box, el("h3", { text: t("findings") + " (" + num(own.length) + ")" }));
    if (own.length || across.length) {
      var sorted = own.concat(across).sort(function (x, y) { return RANK[y.f.severity] - RANK[x.f.severity] || (x.f.id < y.f.id ? -1 : 1); });
      add(box, el("table", { cls: "data", id: "artifact-findings" }, el("tbody", {}, sorted.map(findingRow))));
    } else add(box, el("p", { text: t("no_findings") }));
    if (node.children.length) {
      add(box, el("h3", { text: t("members_of") + " (" + num(node.children.length) + ")" }));
      add(box, el("ul", { cls: "members" }, node.children.map(function (cid) {
        var c = nodes[cid];
        return el("li", {}, link("artifact/" + cid, c.a.path), " ", el("span", { cls: "meta", text: kindText(c.a) }),
          c.worst >= 0 ? [" ", severityBadge(SEVERITIES[4 - c.worst])] : null);
      })));
    }
    if ((a.go_exports || []).length) add(box, [el("h3", { text: t("go_exports") }), el("p", { cls: "mono", text: a.go_exports.join(", ") })]);
  }

  function renderGo(box, a) {
    var g = a.go;
    add(box, [el("h3", { text: "Go" }), factList([
      [t("go_version"), g.raw_version || g.version], [t("build_mode"), g.build_mode], [t("main_package"), g.path],
      [t("main_module"), g.main ? g.main.path + " " + g.main.version : null], [t("experiments"), g.experiments],
      [t("buildinfo_error"), g.buildinfo_error], [t("crypto_packages"), g.crypto_packages],
      [t("cgo"), g.cgo ? t("cgo_facts", g.cgo.has_user_c ? t("yes") : t("no"), g.cgo.cgo_packages) : null],
      ["FIPS", g.fips ? g.fips.provider + (g.fips.module ? " " + g.fips.module : "") + " · " + t("fips_mode") + " " + g.fips.default_mode
        + (g.fips.validated_module ? " · " + t("fips_validated") : "") : null],
      [t("fips_evidence"), g.fips ? g.fips.evidence : null]
    ])]);
    if ((g.deps || []).length) {
      add(box, el("details", {}, el("summary", { text: t("dependencies") + " (" + num(g.deps.length) + ")" }),
        el("table", { cls: "data" }, el("tbody", {}, g.deps.map(function (d) {
          return el("tr", {}, el("td", { cls: "mono", text: d.path }), el("td", { text: d.version }),
            el("td", { cls: "mono", text: d.replace ? "⇒ " + d.replace.path + " " + d.replace.version : "" }));
        })))));
    }
    var settings = Object.keys(g.settings || {});
    if (settings.length) {
      add(box, el("details", {}, el("summary", { text: t("build_settings") + " (" + num(settings.length) + ")" }),
        el("table", { cls: "data" }, el("tbody", {}, settings.map(function (k) {
          return el("tr", {}, el("td", { cls: "mono", text: k }), el("td", { cls: "mono", text: g.settings[k] }));
        })))));
    }
  }

  function renderFinding(box, id) {
    var x = findings[id];
    if (!x) return notFound(box);
    var f = x.f, v = f.vulnerability;
    add(box, [backLink("findings"),
      el("h2", {}, severityBadge(f.severity), " ", f.id + " — " + f.title, " ", precisionBadge(f)),
      el("p", { cls: "message", text: f.message })]);
    var where = x.node !== null ? link("artifact/" + x.node, nodes[x.node].a.path)
      : el("ul", {}, (f.artifacts || []).map(function (p) {
        return el("li", {}, byPath[p] === undefined ? el("code", { text: p }) : link("artifact/" + byPath[p], p));
      }));
    add(box, factList([
      [x.node !== null ? t("col_artifact") : t("across_artifacts"), where],
      [t("location"), f.location ? f.location.path + ":" + f.location.line + ":" + f.location.column : null]
    ]));
    if (f.fix) add(box, [el("h3", { text: t("fix") }), el("pre", { text: f.fix })]);
    if (v) {
      var url = /^https:\/\//.test(v.url || "") ? el("a", { href: v.url, rel: "noreferrer noopener", target: "_blank", text: v.url }) : v.url;
      add(box, [el("h3", { text: t("vulnerability") }), factList([
        [t("advisory"), v.id], [t("aliases"), v.aliases], [t("summary_label"), v.summary], [t("link"), url],
        [t("module"), v.module + " " + v.version + (v.replaced_by ? " ⇒ " + v.replaced_by : "")],
        [t("precision"), el("span", {}, precisionBadge(f), " ", v.reason || "")], [t("symbols"), v.symbols],
        [t("affected_versions"), v.affected_versions], [t("fixed_in"), v.fixed], [t("remedy"), v.remedy]
      ])]);
    }
  }

  // ------------------------------------------------------------- routing

  var views = [];
  function defaultView() { return lintRun ? "findings" : "artifacts"; }

  function renderTabs(current) {
    var nav = clear(document.getElementById("tabs"));
    views.forEach(function (v) {
      add(nav, el("a", { href: "#" + v.key, cls: "tab", "aria-current": v.key === current ? "page" : null, text: v.label }));
    });
    add(nav, el("button", { type: "button", cls: "print", text: t("print"), onclick: function () { window.print(); } }));
  }

  function go(hash) {
    if (location.hash === "#" + hash) route();
    else location.hash = hash;
  }

  function route() {
    var parts = location.hash.replace(/^#/, "").split("/");
    var view = parts[0] || defaultView();
    var main = clear(document.getElementById("main"));
    var known = views.some(function (v) { return v.key === view; });
    var box = el("section", { cls: "view", id: "view-" + view });
    add(main, box);
    if (view === "artifact") { renderTabs(defaultView()); renderArtifact(box, Number(parts[1])); }
    else if (view === "finding") { renderTabs("findings"); renderFinding(box, Number(parts[1])); }
    else if (view === "control" && evidence) { renderTabs("controls"); renderControl(box, Number(parts[1]), Number(parts[2])); }
    else {
      if (!known) view = defaultView();
      renderTabs(view);
      box.id = "view-" + view;
      views.filter(function (v) { return v.key === view; })[0].render(box);
    }
    document.body.setAttribute("data-view", view);
    document.body.setAttribute("data-route", location.hash || "#"); // what is drawn (for tests)
    window.scrollTo(0, 0);
  }

  function debounce(fn) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, 120); };
  }

  // Printing shows every row of the tables on screen and every folded section.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
    [matrixTable, findingTable].forEach(function (tb) {
      if (tb && document.body.contains(tb.table) && tb.shown < tb.items.length) tb.grow(true);
    });
  });

  if (!lintRun) views.push({ key: "artifacts", label: t("tab_matrix"), render: renderMatrix });
  views.push({ key: "findings", label: t("tab_findings") + " (" + num(findings.length) + ")", render: renderFindings });
  if (evidence) views.push({ key: "controls", label: t("tab_controls"), render: renderControls });
  renderHeader();
  renderSummary();
  window.addEventListener("hashchange", route);
  route();
  document.body.setAttribute("data-ready", "true");
})();
