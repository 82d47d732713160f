// VixShield pages: helpers shared by the dashboard, runs and data pages (text only, no innerHTML).
"use strict";

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children || []) node.append(c);
  return node;
}

const money = (x) => (x === null || x === undefined ? "-" :
  x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

function table(id, headers, rows) {
  const t = document.getElementById(id);
  t.replaceChildren();
  if (!rows.length) {
    t.append(el("tr", {}, [el("td", { class: "empty text", text: "none" })]));
    return;
  }
  t.append(el("thead", {}, [el("tr", {}, headers.map((h) => el("th", { text: h })))]));
  t.append(el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) =>
    c instanceof Node ? c : el("td", { text: String(c) }))))));
}

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  if (res.status === 401) {  // the session ended: log in again, then come back
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new Error("the session ended: log in again");
  }
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${typeof body.detail === "string" ? body.detail : res.status}`);
  return body;
}

function showError(err) {
  const b = document.getElementById("error-banner");
  b.hidden = false;
  b.append(el("div", { text: String(err.message || err) }));
}
