(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var S = data.strings;
  var F = data.findings;
  var U = data.updates;
  var SEV = data.severities;
  var total = F.length;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function add(parent, child) {
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    return child;
  }
  function plural(count, noun) { return count + " " + noun + (count === 1 ? "" : "s"); }
  function breakable(parent, text, after) {
    var steps = [];
    var step = "";
    var depth = 0;
    for (var i = 0; i < text.length; i += 1) {
      var ch = text.charAt(i);
      if (ch === "[" && depth === 0 && step) { steps.push(step); step = ""; }
      step += ch;
      if (ch === "[") { depth += 1; } else if (ch === "]") { depth = Math.max(0, depth - 1); }
      if (after.indexOf(ch) !== -1 && depth === 0) { steps.push(step); step = ""; }
    }
    if (step) { steps.push(step); }
    steps.forEach(function (part, index) {
      if (index) { add(parent, el("wbr")); }
      add(parent, part.length <= 40 ? el("span", "step", part) : part);
    });
    return parent;
  }
  function pager(name, draw) {
    var nav = document.querySelector("nav[data-pager='" + name + "']");
    var state = { page: 0, pages: 1 };
    var buttons = nav ? Array.prototype.slice.call(nav.querySelectorAll("button")) : [];
    if (nav) {
      nav.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-page]");
        if (!button) { return; }
        var step = button.dataset.page;
        var page = { first: 0, prev: state.page - 1, next: state.page + 1 }[step];
        if (page === undefined) { page = state.pages - 1; }
        state.page = Math.max(0, Math.min(state.pages - 1, page));
        draw();
      });
    }
    state.slice = function (count, size) {
      state.pages = Math.max(1, Math.ceil(count / size));
      state.page = Math.min(state.page, state.pages - 1);
      if (nav) {
        nav.hidden = state.pages <= 1;
        nav.querySelector(".page-info").textContent =
          "Page " + (state.page + 1) + " of " + state.pages;
        buttons.forEach(function (button) {
          var back = button.dataset.page === "first" || button.dataset.page === "prev";
          button.disabled = back ? state.page === 0 : state.page === state.pages - 1;
        });
      }
      var start = state.page * size;
      return [start, Math.min(count, start + size)];
    };
    return state;
  }

  var titles = new Map();
  data.rules.forEach(function (rule) { titles.set(rule[0], S[rule[1]]); });
  var driftGroups = [];
  var driftOf = new Map();
  var activeOf = new Map();
  var suppressedOf = new Map();
  var updateIds = new Set();
  var loweredIds = new Set();
  F.forEach(function (f, index) {
    var counts = f[8] ? suppressedOf : activeOf;
    counts.set(f[2], (counts.get(f[2]) || 0) + 1);
    updateIds.add(S[f[2]]);
    loweredIds.add(S[f[2]].toLowerCase());
    if (S[f[1]] === __DRIFT_RULE_ID__ && f[9]) {
      if (!driftOf.has(f[2])) {
        driftOf.set(f[2], driftGroups.length + 1);
        driftGroups.push({ update: f[2], items: [] });
      }
      driftGroups[driftOf.get(f[2]) - 1].items.push(index);
    }
  });

  var driftBox = document.getElementById("drift-cards");
  var driftPager = pager("drift", drawDrift);
  function driftCard(number) {
    var group = driftGroups[number - 1];
    var first = F[group.items[0]];
    var card = el("article", "drift-card");
    card.id = "drift-" + number;
    var head = add(card, el("h3", null, S[group.update]));
    //#fleet
    if (S[first[11]]) {
      add(head, " ");
      add(head, el("span", "muted", "in " + S[first[11]] + "/" + S[first[12]]));
    }
    //#end
    if (first[6] >= 0) {
      add(head, " ");
      add(add(head, el("span", "muted", "declared at ")), el("code", null, S[first[6]]));
    }
    var table = add(card, el("table", "drift"));
    var headRow = add(add(table, el("thead")), el("tr"));
    ["Path", "Declared", "Live"].forEach(function (name) {
      add(headRow, el("th", null, name)).setAttribute("scope", "col");
    });
    var body = add(table, el("tbody"));
    group.items.forEach(function (index) {
      var f = F[index];
      var tr = add(body, el("tr"));
      var th = add(tr, el("th"));
      th.setAttribute("scope", "row");
      breakable(add(th, el("code")), S[f[4]], ".");
      var where = f[6] >= 0 ? S[f[6]] + ":" + f[7] : "";
      add(th, el("div", "muted", where + (f[8] ? " · suppressed" : "")));
      add(add(tr, el("td")), el("pre", null, S[f[9][0]]));
      add(add(tr, el("td")), el("pre", null, S[f[9][1]]));
    });
    return card;
  }
  function drawDrift() {
    if (!driftBox) { return; }
    var range = driftPager.slice(driftGroups.length, data.driftCards);
    var cards = document.createDocumentFragment();
    for (var number = range[0] + 1; number <= range[1]; number += 1) {
      cards.appendChild(driftCard(number));
    }
    driftBox.replaceChildren(cards);
  }
  //#chain
  var C = data.chains;
  var L = data.chainLinks;
  var chainBox = document.getElementById("chain-cards");
  var chainPager = pager("chain", drawChains);
  var chainOf = new Map();
  C.forEach(function (chain, index) { chainOf.set(chain[0], index + 1); });
  function chainCard(number) {
    var chain = C[number - 1];
    var u = U[chain[0]];
    var card = el("article", "chain-card");
    card.id = "chain-" + number;
    var head = add(card, el("h3", null, S[u[0]]));
    if (u.length > 4 && S[u[4]]) {
      add(head, " ");
      add(head, el("span", "muted", "in " + S[u[4]] + "/" + S[u[5]]));
    }
    var count = (activeOf.get(u[0]) || 0) + (suppressedOf.get(u[0]) || 0);
    if (count) {
      add(head, " ");
      var show = add(head, el("a", "show", plural(count, "finding")));
      show.setAttribute("href", "#h-findings");
      show.dataset.showUpdate = S[u[0]];
      if (u.length > 4) {
        show.dataset.showAccount = S[u[4]];
        show.dataset.showRegion = S[u[5]];
      }
    }
    chain[1].forEach(function (file) {
      var box = add(card, el("div", "chain-file"));
      add(add(box, el("h4")), el("code", null, S[file[0]]));
      if (!file[1].length) {
        add(box, el("p", "muted", "No link read: the file names no signing job, signing " +
          "profile, certificate, stream or object version."));
        return;
      }
      var list = add(box, el("ol", "chain"));
      file[1].forEach(function (at) {
        var link = L[at];
        var item = add(list, el("li", link[3] ? "chain-link" : "chain-link chain-missing"));
        add(item, el("span", "chain-kind", S[link[0]]));
        breakable(add(item, el("code", "chain-name")), S[link[1]], "/:");
        add(item, el("span", "chain-status", S[link[2]]));
      });
    });
    return card;
  }
  function drawChains() {
    if (!chainBox) { return; }
    var range = chainPager.slice(C.length, data.chainCards);
    var cards = document.createDocumentFragment();
    for (var number = range[0] + 1; number <= range[1]; number += 1) {
      cards.appendChild(chainCard(number));
    }
    chainBox.replaceChildren(cards);
  }
  function openChain(number) {
    if (!chainBox || !(number >= 1 && number <= C.length && Math.floor(number) === number)) {
      return null;
    }
    chainPager.page = Math.floor((number - 1) / data.chainCards);
    drawChains();
    return document.getElementById("chain-" + number);
  }
  //#end
  function openTarget(hash) {
    if (!hash || hash.length < 2) { return null; }
    var id;
    try { id = decodeURIComponent(hash.slice(1)); } catch (error) { return null; }
    var target = document.getElementById(id);
    var number = id.indexOf("drift-") === 0 ? Number(id.slice(6)) : 0;
    var drawn = false;
    //#chain
    if (!target && id.indexOf("chain-") === 0) {
      target = openChain(Number(id.slice(6)));
      drawn = target !== null;
    }
    //#end
    if (!target && driftBox && number >= 1 && number <= driftGroups.length &&
        Math.floor(number) === number) {
      driftPager.page = Math.floor((number - 1) / data.driftCards);
      drawDrift();
      target = document.getElementById(id);
      drawn = true;
    }
    if (target && target.tagName === "DETAILS") { target.open = true; }
    return drawn ? target : null;
  }

  var updatesTable = document.getElementById("updates");
  var updatesPager = pager("updates", drawUpdates);
  function drawUpdates() {
    if (!updatesTable) { return; }
    var range = updatesPager.slice(U.length, data.updateRows);
    var rows = document.createDocumentFragment();
    for (var k = range[0]; k < range[1]; k += 1) {
      var u = U[k];
      var tr = add(rows, el("tr"));
      //#fleet
      add(tr, el("td", "nowrap", S[u[4]]));
      add(tr, el("td", "nowrap", S[u[5]]));
      //#end
      var link = add(add(tr, el("td", "nowrap")), el("a", null, S[u[0]]));
      link.setAttribute("href", "#h-findings");
      link.dataset.showUpdate = S[u[0]];
      //#fleet
      link.dataset.showAccount = S[u[4]];
      link.dataset.showRegion = S[u[5]];
      //#end
      //#chain
      if (chainOf.has(k)) {
        add(link.parentNode, " ");
        add(link.parentNode, el("a", "show", "chain"))
          .setAttribute("href", "#chain-" + chainOf.get(k));
      }
      //#end
      var where = add(tr, el("td"));
      add(where, u[1] >= 0
        ? el("code", null, S[u[1]] + ":" + u[2])
        : el("span", "muted", "not declared"));
      var live = add(tr, el("td"));
      if (data.lint) { add(live, el("span", "muted", "not read")); }
      else if (u[3]) { add(live, "yes"); }
      else { add(live, el("span", "muted", "no")); }
      add(tr, el("td", "num", String(activeOf.get(u[0]) || 0)));
      add(tr, el("td", "num", String(suppressedOf.get(u[0]) || 0)));
    }
    updatesTable.tBodies[0].replaceChildren(rows);
    updatesTable.hidden = false;
  }

  var table = document.getElementById("findings");
  var findingsPager = pager("findings", drawFindings);
  var filters = document.getElementById("filters");
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");
  var base = new Int32Array(total);
  var byDefault = F.map(function (f, index) { return index; });
  byDefault.sort(function (a, b) { return F[a][0] - F[b][0] || a - b; });
  byDefault.forEach(function (index, position) { base[index] = position; });
  var sorted = byDefault;
  var matching = sorted;

  function findingRow(index) {
    var f = F[index];
    var tr = el("tr", f[8] ? "suppressed" : "active");
    tr.dataset.index = String(index);
    var severity = SEV[f[0]];
    add(add(tr, el("td")), el("span", "badge sev-" + severity, severity));
    var rule = add(tr, el("td", "nowrap"));
    if (titles.has(f[1])) {
      var doc = add(rule, el("a", null, S[f[1]]));
      doc.setAttribute("href", "#rule-" + S[f[1]]);
      doc.title = titles.get(f[1]);
    } else {
      rule.textContent = S[f[1]];
    }
    //#fleet
    var partition = add(tr, el("td", "nowrap"));
    if (S[f[11]]) {
      add(partition, el("div", null, S[f[11]]));
      add(partition, el("div", "muted", S[f[12]]));
    } else {
      add(partition, el("span", "muted", "—"));
    }
    //#end
    add(tr, el("td", "update", S[f[2]]));
    add(tr, el("td", null, S[f[3]]));
    var path = add(tr, el("td", "path"));
    add(path, S[f[4]] ? breakable(el("code"), S[f[4]], ".") : el("span", "muted", "—"));
    var message = add(tr, el("td", "message", S[f[5]]));
    if (f[9]) {
      var inline = add(message, el("span", "drift-inline"));
      if (f[9].length > 2) {
        add(inline, el("code", null, S[f[9][2]]));
        add(inline, " → ");
        add(inline, el("code", null, S[f[9][3]]));
        add(inline, " ");
      }
      if (driftOf.has(f[2])) {
        add(inline, el("a", null, "compare side by side"))
          .setAttribute("href", "#drift-" + driftOf.get(f[2]));
      }
    }
    var location = add(tr, el("td", "loc"));
    if (f[6] >= 0) { breakable(add(location, el("code")), S[f[6]] + ":" + f[7], "/"); }
    else { add(location, el("span", "muted", "not declared")); }
    if (f[10]) { add(location, " "); breakable(add(location, el("span", "muted")), S[f[10]], "/"); }
    var suppressed = add(tr, el("td", "supp"));
    if (f[8]) {
      var until = f[8][1] >= 0 ? "until " + S[f[8][1]] : "no expiry";
      add(suppressed, el("span", "badge badge-suppressed", until));
      add(suppressed, " ");
      add(suppressed, el("span", "reason", S[f[8][0]]));
    } else {
      add(suppressed, el("span", "muted", "—"));
    }
    return tr;
  }
  function drawFindings() {
    var count = matching.length;
    var range = findingsPager.slice(count, data.pageRows);
    var rows = document.createDocumentFragment();
    for (var k = range[0]; k < range[1]; k += 1) { rows.appendChild(findingRow(matching[k])); }
    table.tBodies[0].replaceChildren(rows);
    var span = count ? (range[0] + 1) + "-" + range[1] : "0";
    shown.textContent = count === total || count === 0
      ? "Showing " + span + " of " + plural(total, "finding")
      : "Showing " + span + " of " + count + " matching " + (count === 1 ? "finding" : "findings") +
        " (" + total + " in all)";
    noMatch.hidden = count !== 0;
    table.hidden = count === 0;
  }

  function ranks(field) {
    var ids = [];
    var seen = new Set();
    F.forEach(function (f) {
      if (f[field] >= 0 && !seen.has(f[field])) { seen.add(f[field]); ids.push(f[field]); }
    });
    ids.sort(function (a, b) { return collator.compare(S[a], S[b]); });
    var rank = new Map();
    ids.forEach(function (id, position) { rank.set(id, position); });
    return rank;
  }
  var keyCache = [];
  function keysOf(column) {
    if (keyCache[column]) { return keyCache[column]; }
    var primary = new Float64Array(total);
    var secondary = null;
    var rank;
    if (column === 0) {
      F.forEach(function (f, index) { primary[index] = f[0]; });
    } else if (column === 6) {
      rank = ranks(6);
      secondary = new Float64Array(total);
      F.forEach(function (f, index) {
        primary[index] = f[6] >= 0 ? rank.get(f[6]) : rank.size;
        secondary[index] = f[7];
      });
    } else if (column === 7) {
      F.forEach(function (f, index) { primary[index] = f[8] ? 1 : 0; });
    } else {
      rank = ranks(column);
      F.forEach(function (f, index) { primary[index] = rank.get(f[column]); });
    }
    keyCache[column] = { primary: primary, secondary: secondary };
    return keyCache[column];
  }
  function sortBy(column, ascending) {
    var keys = keysOf(column);
    var primary = keys.primary;
    var secondary = keys.secondary;
    var direction = ascending ? 1 : -1;
    sorted = byDefault.slice();
    sorted.sort(function (a, b) {
      var order = primary[a] - primary[b];
      if (order === 0 && secondary) { order = secondary[a] - secondary[b]; }
      return order * direction || base[a] - base[b];
    });
  }

  if (table) {
    var selects = Array.prototype.slice.call(filters.querySelectorAll("select[data-filter]"));
    var updateInput = document.getElementById("filter-update");
    var textInput = document.getElementById("filter-text");
    var showSuppressed = document.getElementById("show-suppressed");
    var field = { severity: 0, rule: 1, source: 3 };
    //#fleet
    field.account = 11;
    field.region = 12;
    //#end
    var memo = function (test) {
      var known = new Int8Array(S.length);
      return function (id) {
        if (id < 0) { return false; }
        if (known[id] === 0) { known[id] = test(S[id]) ? 1 : 2; }
        return known[id] === 1;
      };
    };
    var applyFilters = function () {
      var tests = [];
      selects.forEach(function (select) {
        var value = select.value;
        var at = field[select.dataset.filter];
        if (!value) { return; }
        if (at === 0) {
          var wanted = SEV.indexOf(value);
          tests.push(function (f) { return f[0] === wanted; });
        } else {
          tests.push(function (f) { return S[f[at]] === value; });
        }
      });
      if (!showSuppressed.checked) { tests.push(function (f) { return !f[8]; }); }
      var update = updateInput.value;
      if (update) {
        var lowered = update.toLowerCase();
        var isUpdate = memo(loweredIds.has(lowered)
          ? function (text) { return text.toLowerCase() === lowered; }
          : function (text) { return text.toLowerCase().indexOf(lowered) !== -1; });
        tests.push(function (f) { return isUpdate(f[2]); });
      }
      var needle = textInput.value.toLowerCase();
      if (needle) {
        var has = memo(function (text) { return text.toLowerCase().indexOf(needle) !== -1; });
        tests.push(function (f) {
          return has(f[1]) || has(f[2]) || has(f[4]) || has(f[5]) || has(f[6]) ||
            (f[6] >= 0 && (S[f[6]] + ":" + f[7]).toLowerCase().indexOf(needle) !== -1) ||
            (f[8] ? has(f[8][0]) : false) || (f[9] ? has(f[9][0]) || has(f[9][1]) : false);
        });
      }
      matching = tests.length === 0 ? sorted : sorted.filter(function (index) {
        var f = F[index];
        return tests.every(function (test) { return test(f); });
      });
      findingsPager.page = 0;
      drawFindings();
    };
    var resetFilters = function () {
      selects.forEach(function (select) { select.value = ""; });
      updateInput.value = "";
      textInput.value = "";
      showSuppressed.checked = true;
    };
    selects.forEach(function (select) { select.addEventListener("change", applyFilters); });
    [updateInput, textInput].forEach(function (input) {
      input.addEventListener("input", applyFilters);
    });
    showSuppressed.addEventListener("change", applyFilters);
    document.getElementById("reset").addEventListener("click", function () {
      resetFilters();
      applyFilters();
    });
    updateInput.addEventListener("focus", function () {
      var list = document.getElementById("update-ids");
      if (list.childElementCount) { return; }
      var options = document.createDocumentFragment();
      Array.from(updateIds).sort(collator.compare).forEach(function (id) {
        options.appendChild(document.createElement("option")).value = id;
      });
      list.appendChild(options);
    });
    document.addEventListener("click", function (event) {
      var wanted = "[data-show-rule],[data-show-update]";
      var show = event.target.closest ? event.target.closest(wanted) : null;
      if (!show) { return; }
      resetFilters();
      if (show.dataset.showRule !== undefined) {
        document.getElementById("filter-rule").value = show.dataset.showRule;
      } else {
        updateInput.value = show.dataset.showUpdate;
        //#fleet
        document.getElementById("filter-account").value = show.dataset.showAccount;
        document.getElementById("filter-region").value = show.dataset.showRegion;
        //#end
      }
      applyFilters();
    });

    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th) {
      var button = th.querySelector("button");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBy(Number(button.dataset.column), ascending);
        applyFilters();
      });
    });
    filters.hidden = false;
    shown.hidden = false;
    drawFindings();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) { openTarget(link.getAttribute("href")); }
  });
  window.addEventListener("hashchange", function () {
    var drawn = openTarget(window.location.hash);
    if (drawn) { drawn.scrollIntoView(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".needs-script"), function (note) {
    note.hidden = true;
  });
  drawUpdates();
  drawDrift();
  //#chain
  drawChains();
  //#end
  var initial = openTarget(window.location.hash);
  if (initial) { initial.scrollIntoView(); }
  document.body.dataset.ready = "1";
}());
