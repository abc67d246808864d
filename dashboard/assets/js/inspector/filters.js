// The queue's filters: grade chips, a status choice and a search box, made in the slot
// dashboard/inspector.py leaves for them; the grid asks passes(row) through its external
// filter.
import { fill, h } from "../dom.js";
import { text, words } from "../format.js";
import { live } from "../store.js";

const GRADES = ["I", "S", "E", "R"];

export function queueFilters() {
  const chosen = { grades: { I: true, S: true, E: true, R: true }, status: "", search: "" };
  return {
    chosen,
    active() { return chosen.search !== "" || chosen.status !== "" || GRADES.some((g) => !chosen.grades[g]); },
    // Every word of the search in the row's id, reference, category, borough or address.
    passes(row) {
      if (!row || !chosen.grades[row.grade_code] || (chosen.status && row.status_code !== chosen.status)) { return false; }
      if (!chosen.search) { return true; }
      const incident = live.incidents.get(row.incident_id) || {};
      const haystack = [row.incident_id, incident.reference, incident.category, row.category, incident.borough, incident.address]
        .map((v) => text(v).toLowerCase()).join(" ");
      return chosen.search.split(/\s+/).every((word) => haystack.indexOf(word) >= 0);
    },
  };
}

// The controls in box; changed() after each change.
export function makeFilterControls(box, filters, changed) {
  if (!box) { return; }
  const chosen = filters.chosen;
  const status = h("select", { id: "queue-status", "aria-label": "Status shown" },
    h("option", { value: "" }, "any status"),
    ["open", "assigned", "on_scene"].map((st) => h("option", { value: st }, words("incident", st))));
  const search = h("input", { id: "queue-search", type: "search", placeholder: "Search: category, id, reference, borough, address", "aria-label": "Search the queue", size: 34 });
  fill(box,
    h("span", { class: "bl-grade-filter", role: "group", "aria-label": "Grades shown" },
      GRADES.map((g) => h("button", { type: "button", class: "bl-chip", dataset: { grade: g }, "aria-pressed": "true", title: words("grade", g) }, g))),
    status, search, h("span", { id: "queue-count", class: "bl-muted" }));
  box.addEventListener("click", (event) => {
    const chip = event.target.closest("[data-grade]");
    if (!chip) { return; }
    const g = chip.dataset.grade;
    chosen.grades[g] = !chosen.grades[g];
    chip.setAttribute("aria-pressed", String(chosen.grades[g]));
    changed();
  });
  status.addEventListener("change", (event) => { chosen.status = event.target.value; changed(); });
  search.addEventListener("input", (event) => { chosen.search = event.target.value.trim().toLowerCase(); changed(); });
}
