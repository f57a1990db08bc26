/* The map search of the search pages (templates/hueyapan/snippets/busqueda_mapa.html).
 *
 * ckanext-spatial's spatial-query widget does the search; this script, loaded right after its
 * bundle (Leaflet, leaflet.draw, common_map.js, spatial_query.js), only adds:
 *  - Spanish texts: ckanext-spatial and Leaflet have no Spanish catalog, so the page hands the
 *    translated strings over in data-hy-textos (rendered with the catalog's gettext);
 *  - the municipal boundary (data-hy-limite, GeoJSON) as a light overlay on both maps;
 *  - a keyboard-usable "draw an area" button;
 *  - aria-hidden on the heading's globe icon (spatial's snippet, included unchanged, lacks it).
 * Both data attributes are on our element around spatial's snippet (.hy-mapa-busqueda).
 */
(function (ckan, jQuery, L) {
  "use strict";
  var element = document.querySelector(".hy-mapa-busqueda");
  if (!element) {
    return;
  }
  Array.prototype.forEach.call(element.querySelectorAll(".module-heading .fa"), function (icon) {
    icon.setAttribute("aria-hidden", "true");
  });
  if (!ckan || !L) {
    return;
  }
  var textos = JSON.parse(element.getAttribute("data-hy-textos") || "{}");
  var limite = JSON.parse(element.getAttribute("data-hy-limite") || "null");
  var has = function (key) { return Object.prototype.hasOwnProperty.call(textos, key); };

  // The widget's own strings go through ckan.i18n._ (CKAN's JS catalog lacks them).
  var translate = ckan.i18n._;
  ckan.i18n._ = function (key) {
    return has(key) ? textos[key] : translate.apply(ckan.i18n, arguments);
  };

  // Leaflet's and leaflet.draw's strings.
  L.Control.Zoom.prototype.options.zoomInTitle = textos["Zoom in"] || "+";
  L.Control.Zoom.prototype.options.zoomOutTitle = textos["Zoom out"] || "-";
  if (L.drawLocal) {
    L.drawLocal.draw.toolbar.buttons.rectangle = textos["Draw a rectangle"];
    L.drawLocal.draw.toolbar.actions.text = textos.Cancel;
    L.drawLocal.draw.toolbar.actions.title = textos.Cancel;
  }

  function makeKeyboardButton(container) {
    var buttons = container.querySelectorAll(".leaflet-control-custom-button");
    Array.prototype.forEach.call(buttons, function (button) {
      button.setAttribute("role", "button");
      button.setAttribute("tabindex", "0");
      button.setAttribute("aria-label", button.getAttribute("title") || "");
      button.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          button.click();
        }
      });
    });
  }

  L.Map.addInitHook(function () {
    var map = this;
    var container = map.getContainer();
    if (container.id !== "dataset-map-container" && container.id !== "draw-map-container") {
      return;
    }
    // spatial-query adds its button and gives the map its view right after creating it: the
    // overlay waits for both (a vector layer added to a map without a view cannot be drawn).
    window.setTimeout(function () {
      makeKeyboardButton(container);
      if (limite) {
        map.whenReady(function () {
          L.geoJSON(limite, {
            interactive: false,
            style: {color: "#0f5132", weight: 1.5, opacity: 0.8, fillColor: "#0f5132", fillOpacity: 0.06}
          }).addTo(map);
        });
      }
    }, 0);
  });

  // The draw dialog's close button.
  jQuery(document).on("show.bs.modal", ".modal", function () {
    if (has("Close")) {
      jQuery(this).find(".btn-close").attr("aria-label", textos.Close);
    }
  });
})(this.ckan, this.jQuery, this.L);
