"""How browser tests and benchmarks see the page's modules: ``window.probe``, put there by them.

The dashboard's browser code is ES modules and puts nothing on ``window`` for tests. A test
context imports the modules' exports as any module does (one instance per URL, so these are
the page's own store and maps) once the page has loaded, and reads what Leaflet draws from
the maps themselves.
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext

PROBE = """
// Until the page's modules are imported, a probe that answers "nothing yet" rather than
// being undefined: a test waiting on window.probe.live.seq (or layers, or maps) then waits,
// where it would fail at once on a machine busy enough to be slower than the test.
window.probe = {
  loaded: false,
  live: { seq: 0, units: new Map(), incidents: new Map(), applied: [] },
  maps: {}, session: {}, ui: {}, sound: {},
  layers() { return undefined; },
};
document.addEventListener("DOMContentLoaded", () => {
  if (!document.getElementById("react-entry-point")) { return; }
  const names = ["store", "maps", "session", "feed", "palette", "format", "inspector/sound"];
  Promise.all(names.map((n) => import(`/assets/js/${n}.js`))).then((m) => {
    const [store, maps, session, feed, palette, format, sound] = m;
    window.probe = {
      loaded: true,
      live: store.live,
      setMoveMs: store.setMoveMs,
      maps: maps.maps,
      session: { ...session, blocked: feed.blocked },
      ui: { ...palette, ...format },
      sound: sound.sound,
      // What a map draws, by the kind and id every live marker is tagged with.
      layers(id) {
        const map = maps.maps[id];
        if (!map) { return undefined; }
        const drawn = {
          incidentMarkers: new Map(), unitMarkers: new Map(), links: new Map(), ring: null,
        };
        map.eachLayer((layer) => {
          const tag = layer.bluelamp;
          if (!tag) { return; }
          if (tag.kind === "incident" || tag.kind === "unit") {
            drawn[tag.kind + "Markers"].set(tag.id, layer);
          }
          if (tag.kind === "link") { drawn.links.set(tag.unit, layer); }
          if (tag.kind === "ring") { drawn.ring = layer; }
        });
        return drawn;
      },
    };
  });
});
"""


def probed(context: BrowserContext) -> BrowserContext:
    """``context`` with ``window.probe`` on every dashboard page it opens."""
    context.add_init_script(PROBE)
    return context
