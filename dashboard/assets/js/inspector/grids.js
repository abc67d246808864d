// The inspector's two grids (dash-ag-grid): the queue and the units of the desk's BCU,
// refreshed from the store as whole row sets (a BCU change, ages ticking) or as one
// transaction per frame, so the grid keeps its selection and scroll and React renders
// nothing. A row the user selects is the desk's selection (selectionChanged).
//
// The selection is shown in the grids only when asked (showSelection: a map click, the
// alert's Show, a reload with ?incident=) or when a grid has none: a refresh once forced
// the desk's previous selection back onto the grid between a click and AG Grid's deferred
// selectionChanged, which then found the old row selected and the click was lost.
//
// dash-ag-grid puts its selectedRows prop back on the grid after every rowData update, so a
// selection made through the grid's API alone is undone by the next refresh (a reload with
// ?incident= lost its row that way): the prop is set too.
import { live, now } from "../store.js";
import { queueRow, transact, unitRow } from "./rows.js";

// on: {selectIncident(id), selectUnit(id), beforeRefresh(t)}.
export function grids(state, filters, on) {
  let queueApi = null, unitsApi = null;

  function countRows() { let n = 0; queueApi.forEachNode(() => { n += 1; }); return n; }

  function filtered() {
    if (!queueApi) { return; }
    queueApi.onFilterChanged();
    const count = document.getElementById("queue-count");
    if (count) { count.textContent = filters.active() ? queueApi.getDisplayedRowCount() + " of " + countRows() + " shown" : ""; }
  }

  function select(api, grid, id, force) {
    const node = id && api.getRowNode(id);
    if (node && !node.isSelected() && (force || !api.getSelectedRows().length)) {
      node.setSelected(true, true);
      dash_clientside.set_props(grid, { selectedRows: { ids: [id] } });
    }
  }

  function showSelection(force = true) {
    if (!queueApi || !unitsApi) { return; }
    select(queueApi, "queue", state.incident, force);
    select(unitsApi, "units", state.unit, force);
  }

  function refresh(all, change) {
    if (!queueApi || !unitsApi) { return; }
    const t = now(), waiting = {};
    if (live.advice) { live.advice.waiting.forEach((w) => { waiting[w.incident_id] = w; }); }
    on.beforeRefresh(t);
    const mine = (item) => item.bcu === state.bcu;
    if (all) {
      const incidents = [], units = [];
      live.incidents.forEach((i) => { if (mine(i)) { incidents.push(queueRow(i, waiting, t)); } });
      live.units.forEach((u) => { if (mine(u)) { units.push(unitRow(u, t)); } });
      queueApi.setGridOption("rowData", incidents);
      unitsApi.setGridOption("rowData", units);
      showSelection(false);
      filtered();
      return;
    }
    transact(queueApi, change.incidents, live.incidents, mine, (i) => queueRow(i, waiting, t), "incident_id");
    transact(unitsApi, change.units, live.units, mine, (u) => unitRow(u, t), "unit_id");
    if (filters.active()) { filtered(); }
    // The selected rows may arrive in a transaction (a reload with ?incident= can mount
    // before the snapshot): shown when they do, unless the user has chosen another.
    showSelection(false);
  }

  Promise.all([dash_ag_grid.getApiAsync("queue"), dash_ag_grid.getApiAsync("units")]).then(([queue, units]) => {
    queueApi = queue;
    unitsApi = units;
    queueApi.setGridOption("isExternalFilterPresent", () => filters.active());
    queueApi.setGridOption("doesExternalFilterPass", (node) => filters.passes(node.data));
    queueApi.addEventListener("selectionChanged", () => {
      const row = queueApi.getSelectedRows()[0];
      if (row) { on.selectIncident(row.incident_id); }
    });
    unitsApi.addEventListener("selectionChanged", () => {
      const row = unitsApi.getSelectedRows()[0];
      if (row) { on.selectUnit(row.unit_id); }
    });
    // A click on a row is the user's choice whatever the grid's selection says when its
    // deferred selectionChanged runs (CI still saw a click lost once under load).
    queueApi.addEventListener("rowClicked", (event) => { if (event.data) { on.selectIncident(event.data.incident_id); } });
    unitsApi.addEventListener("rowClicked", (event) => { if (event.data) { on.selectUnit(event.data.unit_id); } });
    refresh(true);
  });

  return {
    refresh, filtered, showSelection,
    deselect() {
      if (!queueApi) { return; }
      for (const [api, grid] of [[queueApi, "queue"], [unitsApi, "units"]]) {
        api.deselectAll();
        dash_clientside.set_props(grid, { selectedRows: [] });
      }
    },
  };
}
