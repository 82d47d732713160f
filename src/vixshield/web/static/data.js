// VixShield data status: the store's series, their span, origin and staleness.
"use strict";

async function main() {
  const s = await getJSON("/api/v1/data/status");
  const stale = s.series.filter((r) => r.stale);
  document.getElementById("subtitle").textContent = `Store in ${s.home}`;
  document.getElementById("store-summary").textContent = !s.store_exists
    ? "No store yet: run `vixshield data fetch` or `vixshield data import`."
    : `${s.series.length} series; ${stale.length} end before the last completed session ` +
      `(${s.last_session}).`;
  if (s.stale) {
    const b = document.getElementById("stale-banner");
    b.hidden = false;
    b.textContent = s.store_exists
      ? `Stale: ${stale.map((r) => `${r.series} (ends ${r.last}, ${r.sessions_behind} session${r.sessions_behind === 1 ? "" : "s"} behind)`).join("; ")}. ` +
        "Run `vixshield data fetch`."
      : "Stale: the store is empty.";
  }
  table("series-table", ["series", "rows", "first", "last", "sessions behind", "origin",
    "provider", "fetched", "versions"], s.series.map((r) => [
    r.series, r.rows, r.first || "-", r.last || "-",
    el("td", { class: r.stale ? "neg" : "pos", text: r.sessions_behind === null ? "-" : String(r.sessions_behind) }),
    el("td", {}, [el("span", { class: `tag ${r.origin}`, text: r.origin })]),
    r.provider, r.fetched_at.slice(0, 10), r.versions,
  ]));
  document.body.dataset.ready = "1";
}

main().catch((err) => { showError(err); document.body.dataset.ready = "1"; });
