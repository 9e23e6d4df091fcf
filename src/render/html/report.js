// crosscheck HTML report: sorting and filtering of the tables, and the pair views.
//
// Document text reaches the page only through textContent: nothing here parses markup.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // ---- Tables: click a heading to sort, type in the box to filter.

  for (const table of $$("table.sortable")) {
    const headings = $$("thead th", table);
    headings.forEach((th, column) => {
      $("button", th).addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headings.forEach((other) => other.setAttribute("aria-sort", "none"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = $("button", th).dataset.type === "num";
        const key = (row) => {
          const cell = row.cells[column];
          const text = cell.dataset.sort ?? cell.textContent;
          return numeric ? parseFloat(text) || 0 : text.toLowerCase();
        };
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((x, y) => {
          const [kx, ky] = [key(x), key(y)];
          const order = kx < ky ? -1 : kx > ky ? 1 : 0;
          return ascending ? order : -order;
        });
        body.append(...rows);
      });
    });
  }

  const filters = new Map(); // table id -> function to re-apply its filter
  for (const input of $$("input[data-filter]")) {
    const table = document.getElementById(input.dataset.filter);
    const shown = $(`[data-shown="${input.dataset.filter}"]`);
    const apply = () => {
      const terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      const cluster = table.id === "pairs-table" ? clusterFilter : null;
      let count = 0;
      for (const row of table.tBodies[0].rows) {
        const text = row.textContent.toLowerCase();
        const visible = terms.every((t) => text.includes(t)) &&
          (cluster === null || row.dataset.cluster === cluster);
        row.hidden = !visible;
        if (visible) count += 1;
      }
      const total = table.tBodies[0].rows.length;
      shown.textContent = count === total ? "" : `${count} of ${total} shown`;
    };
    input.addEventListener("input", apply);
    filters.set(table.id, apply);
  }

  // ---- Pairs.

  const pairs = JSON.parse($("#pair-index").textContent);
  const pairIndex = new Map(pairs.map((p, i) => [p.a + "\u0000" + p.b, i]));
  const views = new Map(); // pair number -> built view
  let clusterFilter = null;
  let current = null; // { index, view } while a pair is shown

  const pairHref = (i, side, line) => {
    let href = `#pair=${encodeURIComponent(pairs[i].a)}&${encodeURIComponent(pairs[i].b)}`;
    if (side) href += `&${side}=${line}`;
    return href;
  };
  const lines = (from, to) => (from === to ? `${from}` : `${from}–${to}`);

  // One side of a text row: plain text, or the words of the edits on that side with the
  // changed ones marked.
  const fillText = (cell, row, side) => {
    if (row.e) {
      const changed = side === "a" ? 1 : 2;
      for (const [op, text] of row.e) {
        if (op === 0) cell.append(text);
        else if (op === changed) cell.append(element(side === "a" ? "del" : "ins", "", text));
      }
    } else if (row[side] && row[side][2] !== undefined) {
      cell.append(row[side][2]);
    }
  };

  const buildView = (index) => {
    const block = document.getElementById(`pair-${index}`);
    const pair = pairs[index];
    const view = element("div", "pair");
    const head = element("div", "view-head");
    const nav = element("p", "nav");
    const link = (text, href) => {
      const a = element("a", "", text);
      a.href = href;
      return a;
    };
    nav.append(link("← All pairs", "#pairs"));
    if (index > 0) nav.append(link("← Previous pair", pairHref(index - 1)));
    if (index + 1 < pairs.length) nav.append(link("Next pair →", pairHref(index + 1)));
    head.append(nav, element("h2", "", `${pair.a}  ⟷  ${pair.b}`));
    const kind = pair.kind === "full" ? "Duplicate" : "Partial reuse";
    const pct = (x) => `${Math.round(x * 100)}%`;
    head.append(element("p", "", `${kind} · similarity ${pair.similarity.toFixed(2)} · ` +
      `coverage ${pct(pair.coverage[0])} of A, ${pct(pair.coverage[1])} of B · ` +
      `${pair.conflicts} ${pair.conflicts === 1 ? "figure disagrees" : "figures disagree"}`));
    view.append(head);
    if (!block) {
      view.append(element("p", "empty", "No side-by-side view was written for this pair."));
      return view;
    }
    const data = JSON.parse(block.textContent);
    const grid = element("div", "grid");
    grid.setAttribute("role", "table");
    grid.setAttribute("aria-label", `${pair.a} against ${pair.b}`);
    const headRow = element("div", "row head");
    headRow.setAttribute("role", "row");
    const sideHead = (side, k) => {
      const cell = element("div", "", `${side}: ${k === 0 ? data.a : data.b}`);
      cell.title = data.paths[k];
      return cell;
    };
    headRow.append(element("div", "num", "Line"), sideHead("A", 0),
      element("div", "num", "Line"), sideHead("B", 1));
    grid.append(headRow);

    data.rows.forEach((row, n) => {
      const line = element("div", `row ${row.op}${row.c ? " conflict" : ""}`);
      line.setAttribute("role", "row");
      line.id = `row-${n}`;
      line.tabIndex = -1;
      const cells = { a: [element("div", "num"), element("div", "text a")],
                      b: [element("div", "num"), element("div", "text b")] };
      if (row.op === "chrome" || row.op === "gap") {
        const [num, text] = cells[row.side];
        num.textContent = lines(row.lines[0], row.lines[1]);
        line.dataset[row.side] = `${row.lines[0]} ${row.lines[1]}`;
        if (row.op === "chrome") {
          const details = element("details", "collapsed");
          details.append(element("summary", "",
            `⋯ ${row.text.length} ${row.text.length === 1 ? "line" : "lines"} of page chrome`));
          const list = element("ol");
          list.start = row.lines[0];
          for (const text of row.text) list.append(element("li", "", text));
          details.append(list);
          text.append(details);
        } else {
          text.classList.add("collapsed");
          text.textContent = `⋯ ${row.count} ${row.count === 1 ? "sentence" : "sentences"} ` +
            `only in ${row.side.toUpperCase()}, far from any match (see the file)`;
        }
      } else {
        for (const side of ["a", "b"]) {
          if (!row[side]) continue;
          const [num, text] = cells[side];
          num.textContent = lines(row[side][0], row[side][1]);
          line.dataset[side] = `${row[side][0]} ${row[side][1]}`;
          if (side === "a" && row.op === "moved") text.append(element("span", "badge", "moved"));
          if (side === "a" && row.c) text.append(element("span", "badge conflict", "figures disagree"));
          fillText(text, row, side);
        }
      }
      line.append(...cells.a, ...cells.b);
      grid.append(line);
      if (row.c) {
        const note = element("div", "note");
        note.setAttribute("role", "note");
        note.textContent = "Figures that disagree: " +
          row.c.map(([a, b]) => `“${a}” (A) against “${b}” (B)`).join("; ");
        grid.append(note);
      }
    });
    view.append(grid);
    return view;
  };

  const showPair = (index, side, line) => {
    let view = views.get(index);
    if (!view) {
      view = buildView(index);
      views.set(index, view);
    }
    const section = $("#view");
    section.replaceChildren(view);
    section.hidden = false;
    $("#overview").hidden = true;
    current = { index, view };
    for (const old of $$(".row.target", view)) old.classList.remove("target");
    document.title = `${pairs[index].a} ⟷ ${pairs[index].b} · crosscheck report`;
    let target = null;
    if (side) {
      // A line may hold several sentences: prefer the one with disagreeing figures.
      const covering = $$(`.row[data-${side}]`, view).filter((row) => {
        const [from, to] = row.dataset[side].split(" ").map(Number);
        return from <= line && line <= to;
      });
      target = covering.find((row) => row.classList.contains("conflict")) ?? covering[0];
    }
    if (target) {
      target.classList.add("target");
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    } else {
      window.scrollTo(0, 0);
    }
  };

  const showOverview = (anchor) => {
    $("#view").hidden = true;
    $("#overview").hidden = false;
    current = null;
    document.title = "crosscheck report";
    const filterNote = $(".cluster-filter");
    if (filterNote) {
      filterNote.hidden = clusterFilter === null;
      $("span", filterNote).textContent = clusterFilter ?? "";
    }
    filters.get("pairs-table")?.();
    const target = anchor && document.getElementById(anchor);
    if (target) target.scrollIntoView();
  };

  const route = () => {
    const hash = location.hash.slice(1);
    if (hash.startsWith("pair=")) {
      const [a, b, ...rest] = hash.slice(5).split("&");
      let index;
      try {
        index = pairIndex.get(decodeURIComponent(a) + "\u0000" + decodeURIComponent(b ?? ""));
      } catch {
        index = undefined;
      }
      if (index !== undefined) {
        const [side, line] = (rest[0] ?? "").split("=");
        showPair(index, side === "a" || side === "b" ? side : null, Number(line));
        return;
      }
      clusterFilter = null;
      showOverview("pairs");
      return;
    }
    if (hash.startsWith("cluster=")) {
      clusterFilter = hash.slice(8);
      showOverview("pairs");
      return;
    }
    if (hash === "pairs") clusterFilter = null;
    showOverview(hash);
  };
  window.addEventListener("hashchange", route);
  route();

  // ---- Keys: j/k differences, n/p pairs, Escape back to the list.

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLInputElement) return;
    if (!current) return;
    const { index, view } = current;
    if (event.key === "Escape") {
      location.hash = "#pairs";
    } else if (event.key === "n" && index + 1 < pairs.length) {
      location.hash = pairHref(index + 1);
    } else if (event.key === "p" && index > 0) {
      location.hash = pairHref(index - 1);
    } else if (event.key === "j" || event.key === "k") {
      const differing = $$(".row.changed, .row.moved, .row.only_a, .row.only_b", view);
      if (differing.length === 0) return;
      const at = differing.indexOf(document.activeElement);
      const next = event.key === "j"
        ? differing[Math.min(at + 1, differing.length - 1)]
        : differing[Math.max(at < 0 ? 0 : at - 1, 0)];
      next.focus({ preventScroll: true });
      next.scrollIntoView({ block: "center" });
    } else {
      return;
    }
    event.preventDefault();
  });
})();
