// AOI picker: shows the chip grid, lets the user draw shapes or click chips, and downloads a GeoJSON that
// CropData.Geo.AoiDocument reads as is (spec stage 1). The in-page selection preview uses the same rule as
// the builder — a chip is selected when its EPSG:4326 footprint intersects a drawn shape (touching counts) —
// computed planar in degrees like NetTopologySuite, so the preview and the builder agree.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("picker-config").textContent);
  const data = JSON.parse(document.getElementById("chip-data").textContent);
  const statusEl = document.getElementById("status");
  const setStatus = (t) => { statusEl.textContent = t; };

  const map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
  const styleOf = (s) => s === 2 ? { color: "#b03000", weight: 1, fillColor: "#ff6a00", fillOpacity: 0.6 }
                    : s === 1 ? { color: "#1f5fa8", weight: 1, fillColor: "#3d8bfd", fillOpacity: 0.55 }
                    : { color: "#3c3c3c", weight: 1, fillColor: "#9ccc65", fillOpacity: 0.35 };

  const chips = data.chips.map(([id, tile, ring]) => {
    const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
    const chip = { id, tile, ring, bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], state: 0 };
    chip.layer = L.polygon(ring.map(([x, y]) => [y, x]), styleOf(0));
    chip.layer.bindTooltip(tile ? `${id} · ${tile}` : id, { sticky: true });
    return chip;
  });
  const byId = new Map(chips.map((c) => [c.id, c]));
  const grid = L.featureGroup(chips.map((c) => c.layer)).addTo(map);
  if (chips.length) map.fitBounds(grid.getBounds()); else map.setView([39, -96], 4);
  document.getElementById("total").textContent = String(chips.length);

  // An online basemap only when it answers: offline, the page still works on a blank background.
  if (config.basemap && navigator.onLine) {
    const probe = new Image();
    probe.onload = () => {
      L.tileLayer(config.basemap, { attribution: config.attribution, maxZoom: 19 }).addTo(map).bringToBack();
      setStatus("basemap: " + (config.attributionText || "online tiles"));
    };
    probe.onerror = () => setStatus("offline: no basemap (chips only)");
    probe.src = config.basemap.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0").replace("{r}", "");
    setStatus("checking basemap…");
  } else {
    setStatus("offline: no basemap (chips only)");
  }

  const drawn = new L.FeatureGroup().addTo(map);
  // showArea: false works around Leaflet.draw 1.0.4's readableArea, which throws "type is not defined" when
  // drawing a rectangle under Leaflet 1.9.
  map.addControl(new L.Control.Draw({
    draw: {
      polygon: { allowIntersection: false, showArea: false },
      rectangle: { showArea: false },
      polyline: false, circle: false, marker: false, circlemarker: false,
    },
    edit: { featureGroup: drawn },
  }));
  map.on(L.Draw.Event.CREATED, (e) => { drawn.addLayer(e.layer); refresh(); });

  // Chip clicks are resolved here, from the click position, not by layer events: drawn shapes share the canvas
  // and sit on top, so a layer-level handler would miss chips under (or next to) a shape. While a draw, edit or
  // delete tool is active, clicks belong to the tool, and so does the click whose press began while it was active
  // (the one that finishes a shape: the tool stops on its mouseup, before the browser's click). Deciding at press
  // time, in the capture phase before Leaflet sees it, needs no timing window.
  let toolActive = false, pressInTool = false;
  map.on("draw:drawstart draw:editstart draw:deletestart", () => { toolActive = true; });
  map.on("draw:drawstop draw:editstop draw:deletestop", () => { toolActive = false; });
  map.getContainer().addEventListener("pointerdown", () => { pressInTool = toolActive; }, true);
  map.on("click", (e) => {
    if (toolActive || pressInTool) return;
    const p = [e.latlng.lng, e.latlng.lat];
    const hit = chips.find((c) => p[0] >= c.bbox[0] && p[0] <= c.bbox[2] && p[1] >= c.bbox[1] && p[1] <= c.bbox[3] && inRing(p, c.ring));
    if (hit) toggle(hit.id);
  });
  map.on(L.Draw.Event.EDITED, refresh);
  map.on(L.Draw.Event.DELETED, refresh);

  const clicked = new Set();

  function shapes() {
    const out = [];
    drawn.eachLayer((l) => {
      const g = l.toGeoJSON(false).geometry;
      if (g.type === "Polygon") out.push(g.coordinates);
      else if (g.type === "MultiPolygon") out.push(...g.coordinates);
    });
    return out;
  }

  // --- planar geometry, boundary-inclusive (NTS "intersects") ---
  const orient = (a, b, c) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const onSeg = (a, b, p) => Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
  function segsMeet(a, b, c, d) {
    const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
    if (o1 !== o2 && o3 !== o4) return true;
    return (o1 === 0 && onSeg(a, b, c)) || (o2 === 0 && onSeg(a, b, d)) || (o3 === 0 && onSeg(c, d, a)) || (o4 === 0 && onSeg(c, d, b));
  }
  function inRing(p, ring) {   // ring closed or open; points on the boundary count as inside
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[j], b = ring[i];
      if (orient(a, b, p) === 0 && onSeg(a, b, p)) return true;
      if ((b[1] > p[1]) !== (a[1] > p[1]) && p[0] < ((a[0] - b[0]) * (p[1] - b[1])) / (a[1] - b[1]) + b[0]) inside = !inside;
    }
    return inside;
  }
  const inPolygon = (p, poly) => inRing(p, poly[0]) && !poly.slice(1).some((hole) => inRing(p, hole) && !onBoundary(p, hole));
  function onBoundary(p, ring) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) if (orient(ring[j], ring[i], p) === 0 && onSeg(ring[j], ring[i], p)) return true;
    return false;
  }
  const edges = (ring) => ring.map((p, i) => [p, ring[(i + 1) % ring.length]]);
  function chipMeetsPolygon(chip, poly) {
    const outer = poly[0];
    const xs = outer.map((p) => p[0]), ys = outer.map((p) => p[1]);
    if (chip.bbox[2] < Math.min(...xs) || chip.bbox[0] > Math.max(...xs) || chip.bbox[3] < Math.min(...ys) || chip.bbox[1] > Math.max(...ys)) return false;
    if (chip.ring.some((p) => inPolygon(p, poly))) return true;
    if (outer.some((p) => inRing(p, chip.ring))) return true;
    const ce = edges(chip.ring);
    return poly.some((ring) => edges(ring).some(([a, b]) => ce.some(([c, d]) => segsMeet(a, b, c, d))));
  }

  function shapeSelected() {
    const polys = shapes();
    const ids = new Set();
    if (!polys.length) return ids;
    for (const c of chips) if (polys.some((poly) => chipMeetsPolygon(c, poly))) ids.add(c.id);
    return ids;
  }

  function selectedIds() {
    const ids = shapeSelected();
    for (const id of clicked) ids.add(id);
    return [...ids].sort();
  }

  function refresh() {
    const viaShapes = shapeSelected();
    for (const c of chips) {
      const s = clicked.has(c.id) ? 2 : viaShapes.has(c.id) ? 1 : 0;
      if (s !== c.state) { c.state = s; c.layer.setStyle(styleOf(s)); }
    }
    const ids = selectedIds();
    document.getElementById("count").textContent = String(ids.length);
    document.getElementById("download").disabled = ids.length === 0 && shapes().length === 0;
    const list = document.getElementById("selected");
    list.textContent = "";
    for (const id of ids.slice(0, 500)) {
      const li = document.createElement("li");
      li.textContent = byId.get(id).tile ? `${id} ${byId.get(id).tile}` : id;
      list.appendChild(li);
    }
    if (ids.length > 500) { const li = document.createElement("li"); li.textContent = `… ${ids.length - 500} more`; list.appendChild(li); }
  }

  function toggle(id) {
    if (!byId.has(id)) throw new Error("unknown chip " + id);
    if (clicked.has(id)) clicked.delete(id); else clicked.add(id);
    refresh();
  }

  // Drawn shapes alone export as polygons (the builder intersects them with the chips itself); once chips were
  // clicked the export is a chip payload, since a click means "this chip" whatever shape it lies in.
  function exportGeoJson() {
    if (clicked.size === 0) {
      const features = shapes().map((coordinates) => ({ type: "Feature", properties: { source: "aoi-picker" }, geometry: { type: "Polygon", coordinates } }));
      return JSON.stringify({ type: "FeatureCollection", features });
    }
    const features = selectedIds().map((id) => {
      const c = byId.get(id);
      const ring = c.ring.concat([c.ring[0]]);
      return { type: "Feature", properties: { id: c.id, tile: c.tile }, geometry: { type: "Polygon", coordinates: [ring] } };
    });
    return JSON.stringify({ type: "FeatureCollection", features });
  }

  function download() {
    const blob = new Blob([exportGeoJson()], { type: "application/geo+json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = config.fileName;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function clear() { clicked.clear(); drawn.clearLayers(); refresh(); }

  document.getElementById("download").addEventListener("click", download);
  document.getElementById("clear").addEventListener("click", clear);
  refresh();
  window.aoiPicker = { map, chips: chips.length, selectedIds, exportGeoJson, toggle, clear, shapes: () => shapes().length, ready: true };
})();
