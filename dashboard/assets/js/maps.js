// Every Leaflet map by its container id, for the live layers that need the map object
// itself, and the zoom as classes on each map's container. dash-leaflet's bundle (a classic
// script) defines window.L before this module runs, and no map exists before Dash renders,
// which main.js starts only once the modules have run.
export const maps = {};

// The zoom as classes on the container (bl-zoom-9 … up to the current zoom), so that CSS
// shows labels from a zoom on (place names, callsigns) with no script per label.
function zoomClasses(map) {
  const container = map.getContainer(), zoom = Math.floor(map.getZoom() + 1e-6);
  for (let z = 9; z <= 16; z++) { container.classList.toggle("bl-zoom-" + z, zoom >= z); }
}

export function registerMaps(L) {
  L.Map.addInitHook(function () {
    const map = this;
    const id = map.getContainer().id;
    map.on("zoomend", () => zoomClasses(map));
    map.whenReady(() => zoomClasses(map));
    if (id) {
      maps[id] = map;
      map.on("unload", () => { if (maps[id] === map) { delete maps[id]; } });
    }
  });
}

// The map with this container id, once Dash has rendered it.
export function findMap(id) {
  return new Promise((resolve) => {
    (function look() {
      if (maps[id]) { resolve(maps[id]); } else { setTimeout(look, 50); }
    })();
  });
}
