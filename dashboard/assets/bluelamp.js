// Bluelamp's browser side. Dash passes {variable: "bluelamp.map.<name>"} for GeoJSON options
// and dash-leaflet calls these with (feature, context), context.hideout being the layer's
// hideout prop: styling happens here, layers stay mounted, nothing round-trips to the server.
// Canvas rendering (preferCanvas) ignores CSS classes, so colours live here, not in CSS.
window.bluelamp = Object.assign({}, window.bluelamp);

window.bluelamp.map = {
  boroughStyle: function (feature, context) {
    var p = feature.properties;
    var hideout = (context && context.hideout) || {};
    var picked = hideout.bcu && p.bcu === hideout.bcu;
    if (!p.met) {
      // The City of London: shown, hatched-looking and amber, but not policed by the Met.
      return {
        color: (window.bluelamp.ui && window.bluelamp.ui.CITY_COLOUR) || "#c9a227", weight: 1.5, dashArray: "4 3",
        fillColor: "#3a3115", fillOpacity: hideout.tiles ? 0.25 : 1.0,
      };
    }
    return {
      color: picked ? "#d2e4f5" : "#4f6479", weight: picked ? 2 : 1,
      fillColor: picked ? "#223447" : "#18222d", fillOpacity: hideout.tiles ? 0.15 : 1.0,
    };
  },
  boroughTooltip: function (feature, layer) {
    var p = feature.properties;
    var text = p.met ? p.name + " (" + p.bcu + ")" : p.name + " (City of London Police, not Met)";
    layer.bindTooltip(text, { sticky: true, className: "bl-tooltip" });
  },
  bcuStyle: function (feature, context) {
    var hideout = (context && context.hideout) || {};
    var picked = hideout.bcu && feature.properties.code === hideout.bcu;
    return { color: picked ? "#ffffff" : "#9fb3c8", weight: picked ? 4.5 : 3, fill: false,
             opacity: 0.9 };
  },
  // Named places (geodata/data/london_places.json): the larger towns from zoom 11, the rest
  // closer in (CSS hides them by the map's bl-zoom-N classes, below).
  placeLabel: function (feature, latlng) {
    var p = feature.properties;
    return L.marker(latlng, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "bl-place-label bl-place-" + p.rank,
        html: "<span>" + String(p.name).replace(/[&<>"']/g, "") + "</span>",
        iconSize: null,
      }),
    });
  },
  bcuLabel: function (feature, latlng) {
    return L.marker(latlng, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "bl-bcu-label",
        html: "<span>" + feature.properties.code + "</span>",
        iconSize: null,
      }),
    });
  },
};

// Every Leaflet map by its container id, for the live layers' scripts (and the browser
// tests) that need the map object itself. dash-leaflet's bundle defines window.L before
// Dash loads assets/.
window.bluelamp.maps = {};
if (window.L && L.Map) {
  L.Map.addInitHook(function () {
    var map = this;
    var id = map.getContainer().id;
    // The zoom as classes on the container (bl-zoom-11 … up to the current zoom), so that
    // CSS shows labels from a zoom on (place names, callsigns) with no script per label.
    function zoomClasses() {
      var container = map.getContainer(), zoom = Math.floor(map.getZoom() + 1e-6);
      for (var z = 9; z <= 16; z++) { container.classList.toggle("bl-zoom-" + z, zoom >= z); }
    }
    map.on("zoomend", zoomClasses);
    map.whenReady(zoomClasses);
    if (id) {
      window.bluelamp.maps[id] = map;
      map.on("unload", function () {
        if (window.bluelamp.maps[id] === map) { delete window.bluelamp.maps[id]; }
      });
    }
  });
}

// The clock in the header: 24-hour, in the display time zone the server configured
// (data-timezone), ticking in the browser with no polling.
(function () {
  var formats = {};
  function tick() {
    var clock = document.getElementById("clock");
    if (!clock) { return; }
    var zone = clock.getAttribute("data-timezone") || "Europe/London";
    if (!formats[zone]) {
      formats[zone] = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit",
        hour12: false, weekday: "short", day: "2-digit", month: "short",
      });
    }
    clock.textContent = formats[zone].format(new Date());
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
