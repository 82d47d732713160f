// VixShield dashboard: reads the JSON API and builds the page (helpers in common.js).
"use strict";

const price = (x) => (x === null || x === undefined ? "-" : Number(x).toFixed(2));
const greek = (x) => (x === null || x === undefined ? "-" :
  x.toLocaleString("en-US", { maximumFractionDigits: 1 }));
const signed = (x) => el("td", { class: x > 0 ? "pos" : x < 0 ? "neg" : "", text: money(x) });

function ticketCard(t) {
  const what = t.kind === "hedge" ? `hedge (${t.layer})` : t.kind;
  const head = `${t.order_id || "order"}: ${t.action} ${what} x${t.contracts} - ` +
    `${t.direction} limit ${price(t.limit)}`;
  const facts = [
    ["net mid", price(t.mid)], ["limit", price(t.limit)], ["worst acceptable", price(t.worst)],
    ["tick", price(t.tick)],
    ["max loss (USD)", typeof t.max_loss === "string" ? t.max_loss : money(t.max_loss)],
    ["buying power (USD)", money(t.buying_power)],
    ["take profit (debit)", price(t.take_profit)], ["stop (debit)", price(t.stop)],
    ["exit by", t.exit_date || "-"], ["status", t.status ? `${t.status} (${t.filled} filled)` : "not recorded"],
  ];
  const dl = el("dl", {}, facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  const legs = el("table", { class: "legs" });
  const wrap = el("div", { class: "scroll" }, [legs]);
  const card = el("article", { class: "ticket" }, [
    el("h3", {}, [head + " ", el("span", { class: `tag ${t.prices}`, text: `prices ${t.prices}` })]),
    el("p", { text: t.reason || "" }), wrap, dl,
  ]);
  legs.append(el("thead", {}, [el("tr", {}, ["verb", "qty", "OCC symbol", "bid", "ask", "mid", "origin"]
    .map((h) => el("th", { text: h })))]));
  legs.append(el("tbody", {}, t.legs.map((l) => el("tr", {}, [
    el("td", { text: l.verb }), el("td", { text: String(l.quantity) }),
    el("td", { class: "sym text", text: l.symbol }), el("td", { text: price(l.bid) }),
    el("td", { text: price(l.ask) }), el("td", { text: price(l.mid) }),
    el("td", { text: l.origin }),
  ]))));
  return card;
}

function renderSignal(s) {
  const what = s.source === "computed" ? "computed signal (not recorded)" : "signal";
  document.getElementById("subtitle").textContent =
    `account ${s.account ? s.account.name : "-"} - ${what} of ${s.date} - policy ${s.policy} - regime ${s.regime}`;
  document.querySelector("#decision h2").textContent = `Decision at the close of ${s.date}`;
  document.getElementById("decision-summary").textContent = s.decision.summary;
  document.getElementById("decision-hedges").replaceChildren(
    ...s.decision.hedges.map((h) => el("li", { text: h })));
  const tickets = document.getElementById("tickets");
  tickets.replaceChildren(...(s.tickets.length ? s.tickets.map(ticketCard)
    : [el("p", { class: "empty", text: "No orders today." })]));
  document.getElementById("signal-warnings").replaceChildren(
    ...s.warnings.map((w) => el("li", { text: w })));
}

function renderPositions(p) {
  document.getElementById("positions-summary").textContent =
    `marked at ${p.as_of || "-"}: value ${money(p.value)} USD, P&L ${money(p.pnl)} USD, cash ${money(p.cash)} USD`;
  const rows = [];
  for (const pos of p.positions) {
    rows.push([el("td", { class: "text", text: `${pos.id} ${pos.label}` }), String(pos.contracts),
      pos.opened, price(pos.entry_price), price(pos.mark), money(pos.value), signed(pos.pnl),
      greek(pos.greeks && pos.greeks.delta), greek(pos.greeks && pos.greeks.vega),
      greek(pos.greeks && pos.greeks.theta), pos.origin]);
    for (const l of pos.legs) {
      rows.push([el("td", { class: "sym text", text: `  ${l.ratio > 0 ? "+" : ""}${l.ratio} ${l.symbol}` }),
        "", "", "", price(l.mid), "", "", "", "", "", l.origin]);
    }
  }
  table("positions-table", ["position / leg", "contracts", "opened", "entry", "mark", "value USD",
    "P&L USD", "delta", "vega", "theta/day", "prices"], rows);
  document.getElementById("positions-problems").replaceChildren(
    ...p.problems.map((w) => el("li", { text: w })));
}

function renderEquity(e) {
  const node = document.getElementById("equity-chart");
  if (!e.points.length) {
    node.replaceChildren(el("p", { class: "empty", text: "No signal recorded yet." }));
    return;
  }
  const x = e.points.map((p) => p.date);
  Plotly.newPlot(node, [
    { x, y: e.points.map((p) => p.equity), name: "equity", type: "scatter", mode: "lines" },
    { x, y: e.points.map((p) => p.cash), name: "cash", type: "scatter", mode: "lines",
      line: { dash: "dot" } },
  ], {
    autosize: true, margin: { l: 70, r: 10, t: 10, b: 40 },
    yaxis: { title: { text: "USD" }, tickformat: ",.0f" },
    legend: { orientation: "h", y: -0.2 },
  }, { responsive: true, displaylogo: false });
}

function renderHistory(h) {
  const fills = h.fills.slice(-20).reverse();
  table("fills-table", ["order", "date", "action", "kind", "price", "contracts", "fees", "cash USD"],
    fills.map((f) => [f.order_id, f.date, f.action, f.layer ? `hedge (${f.layer})` : f.kind,
      `${price(f.price)} ${f.direction}`, String(f.contracts), money(f.fees), signed(f.cash)]));
  const closed = h.closed.slice(-20).reverse();
  table("closed-table", ["position", "kind", "opened", "closed", "P&L USD"],
    closed.map((c) => [c.id, c.label, c.opened, c.closed || "-", signed(c.pnl)]));
}

function renderSignals(s) {
  const link = (x) => el("td", { class: "text" },
    [el("a", { href: `/?date=${encodeURIComponent(x.date)}`, text: x.date })]);
  table("signals-table", ["id", "date", "regime", "condor", "orders"],
    s.signals.slice(-20).reverse().map((x) => [String(x.id), link(x), x.regime || "-", x.condor,
      String(x.orders)]));
}

function staleNote(text) {
  const b = document.getElementById("stale-banner");
  b.hidden = false;
  b.append(el("div", { text }));
}

function renderProvenance(p) {
  const banner = document.getElementById("origin-banner");
  banner.hidden = false;
  banner.className = `banner ${p.overall === "real" ? "info" : "modeled"}`;
  const word = { real: "REAL data", modeled: "MODELED prices", mixed: "MIXED real and modeled inputs",
    missing: "no quotes" }[p.overall];
  banner.textContent = `Signal of ${p.date} (${p.data_source} data): ${word}. ${p.summary}`;
  document.getElementById("provenance-summary").textContent = p.summary;
  if (p.data_last_day && state.health && p.data_last_day < state.health.last_session) {
    staleNote(`The ${p.data_source} data ends on ${p.data_last_day}; the last completed ` +
      `session is ${state.health.last_session}: run \`vixshield data fetch\`.`);
  }
  table("provenance-table", ["series", "provider", "origin", "version"],
    p.series.map((s) => [s.series, s.provider, s.origin, s.version || "-"]));
}

const state = { health: null };

async function main() {
  const health = await getJSON("/api/v1/status");
  state.health = health;
  if (health.stale) staleNote(`Stale: ${health.stale_reason}`);
  if (!health.journal_exists || !health.account || !health.latest_signal) {
    document.getElementById("subtitle").textContent = health.stale_reason;
    document.getElementById("decision-summary").textContent = "No signal to show.";
    return;
  }
  const date = new URLSearchParams(window.location.search).get("date");
  const query = date ? `?date=${encodeURIComponent(date)}` : "";
  const jobs = [
    ["/api/v1/signal" + query, renderSignal], ["/api/v1/positions", renderPositions],
    ["/api/v1/equity", renderEquity], ["/api/v1/history", renderHistory],
    ["/api/v1/signals", renderSignals], ["/api/v1/provenance", renderProvenance],
  ];
  await Promise.all(jobs.map(([path, render]) => getJSON(path).then(render).catch(showError)));
  document.body.dataset.ready = "1";
}

main().catch((err) => { showError(err); document.body.dataset.ready = "1"; });
