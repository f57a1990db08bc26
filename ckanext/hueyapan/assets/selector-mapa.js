/* The staff forms' pickers (templates/scheming/form_snippets/hueyapan_comunidades.html and
   hueyapan_ubicacion.html). Progressive: without this script the forms are a multiple select and
   a text box, and both still work.

   - Communities: a box that filters the names as one types (accents and case ignored), one
     checkbox per community, and the map, where a click on a community's circle picks it. The
     hidden select stays the form's input.
   - Location: a click on the map marks the point of the obra, or in "Draw a line" mode adds a
     point to its route; the GeoJSON goes into the text box, which is the stored value.

   The map's projection comes from the SVG's data-* attributes (paginas/mapas.py svg_selector). */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function projection(svg) {
    var minx = parseFloat(svg.dataset.minx), maxy = parseFloat(svg.dataset.maxy);
    var kx = parseFloat(svg.dataset.kx), scale = parseFloat(svg.dataset.escala);
    var margin = parseFloat(svg.dataset.margen);
    return {
      xy: function (lon, lat) {
        return [(lon - minx) * kx * scale + margin, (maxy - lat) * scale + margin];
      },
      lonlat: function (x, y) {
        return [+((x - margin) / (kx * scale) + minx).toFixed(6),
                +(maxy - (y - margin) / scale).toFixed(6)];
      }
    };
  }

  function svgPoint(svg, event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function button(text, extra) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-default hy-boton-mapa" + (extra ? " " + extra : "");
    b.textContent = text;
    return b;
  }

  /* --- Communities ------------------------------------------------------------------------ */

  function setUpCommunities(box) {
    var select = box.querySelector("select");
    if (!select) { return; }
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "form-control hy-filtro-comunidades";
    filter.placeholder = box.dataset.filtro;
    filter.setAttribute("aria-label", box.dataset.filtro);
    filter.id = select.id + "-filtro";
    var list = document.createElement("div");
    list.className = "hy-lista-comunidades";
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", box.dataset.filtro);
    var none = document.createElement("p");
    none.className = "hy-sin-resultados";
    none.textContent = box.dataset.ninguna;
    none.hidden = true;
    var chosen = document.createElement("p");
    chosen.className = "hy-elegidas";
    chosen.setAttribute("aria-live", "polite");
    var checks = {};
    Array.prototype.forEach.call(select.options, function (option) {
      var label = document.createElement("label");
      label.className = "hy-opcion-comunidad";
      var check = document.createElement("input");
      check.type = "checkbox";
      check.value = option.value;
      check.checked = option.selected;
      check.id = option.id + "-casilla";
      check.addEventListener("change", function () {
        option.selected = check.checked;
        refresh();
      });
      label.appendChild(check);
      label.appendChild(document.createTextNode(" " + option.text));
      label.dataset.nombre = fold(option.text);
      list.appendChild(label);
      checks[option.value] = check;
    });
    var circles = box.querySelectorAll(".hy-selector-comunidad");

    function refresh() {
      var names = [];
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.selected) { names.push(option.text); }
        if (checks[option.value]) { checks[option.value].checked = option.selected; }
      });
      Array.prototype.forEach.call(circles, function (g) {
        var option = select.querySelector('option[value="' + g.dataset.clave + '"]');
        g.classList.toggle("hy-elegida", !!(option && option.selected));
      });
      chosen.textContent = names.length ? box.dataset.elegidas + " " + names.join(", ") : "";
    }

    filter.addEventListener("input", function () {
      var wanted = fold(filter.value).trim(), shown = 0;
      Array.prototype.forEach.call(list.children, function (label) {
        var match = !wanted || label.dataset.nombre.indexOf(wanted) !== -1;
        label.hidden = !match;
        if (match) { shown += 1; }
      });
      none.hidden = shown > 0;
    });
    Array.prototype.forEach.call(circles, function (g) {
      g.addEventListener("click", function () {
        var option = select.querySelector('option[value="' + g.dataset.clave + '"]');
        if (option) { option.selected = !option.selected; refresh(); }
      });
    });
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    box.insertBefore(chosen, select);
    box.insertBefore(filter, chosen);
    box.insertBefore(list, select);
    box.insertBefore(none, select);
    refresh();
  }

  /* --- Location ----------------------------------------------------------------------------- */

  function readPositions(text) {
    text = (text || "").trim();
    if (!text) { return []; }
    try {
      if (text.charAt(0) === "{") {
        var geometry = JSON.parse(text);
        if (geometry.type === "Point") { return [geometry.coordinates]; }
        if (geometry.type === "LineString") { return geometry.coordinates; }
        return null;  /* a polygon or another shape typed by hand: left alone */
      }
      return text.split(";").filter(function (p) { return p.trim(); }).map(function (pair) {
        var parts = pair.trim().split(/\s*[, ]\s*/);
        return [parseFloat(parts[1]), parseFloat(parts[0])];
      });
    } catch (error) {
      return null;
    }
  }

  function setUpLocation(box) {
    var svg = box.querySelector("svg"), text = box.querySelector("textarea");
    if (!svg || !text || !svg.getScreenCTM) { return; }
    var proj = projection(svg), mode = "punto";
    var drawing = document.createElementNS(SVGNS, "g");
    drawing.setAttribute("class", "hy-selector-dibujo");
    svg.appendChild(drawing);
    var tools = document.createElement("div");
    tools.className = "hy-herramientas-mapa";
    var pointButton = button(box.dataset.punto), lineButton = button(box.dataset.linea);
    var clearButton = button(box.dataset.borrar, "hy-boton-borrar");
    var status = document.createElement("p");
    status.className = "hy-estado-mapa";
    status.setAttribute("aria-live", "polite");
    tools.appendChild(pointButton);
    tools.appendChild(lineButton);
    tools.appendChild(clearButton);
    box.insertBefore(tools, svg);
    box.insertBefore(status, svg.nextSibling);

    function setMode(next) {
      mode = next;
      pointButton.setAttribute("aria-pressed", String(mode === "punto"));
      lineButton.setAttribute("aria-pressed", String(mode === "linea"));
    }

    function write(positions) {
      if (!positions.length) {
        text.value = "";
      } else if (positions.length === 1) {
        text.value = JSON.stringify({type: "Point", coordinates: positions[0]});
      } else {
        text.value = JSON.stringify({type: "LineString", coordinates: positions});
      }
      draw();
    }

    function draw() {
      while (drawing.firstChild) { drawing.removeChild(drawing.firstChild); }
      var positions = readPositions(text.value);
      if (positions === null) { status.textContent = ""; return; }
      var points = positions.filter(function (p) {
        return isFinite(p[0]) && isFinite(p[1]);
      }).map(function (p) { return proj.xy(p[0], p[1]); });
      if (points.length > 1) {
        var path = document.createElementNS(SVGNS, "path");
        path.setAttribute("class", "hy-mapa-lugar-linea");
        path.setAttribute("d", "M" + points.map(function (p) {
          return p[0].toFixed(1) + "," + p[1].toFixed(1);
        }).join("L"));
        drawing.appendChild(path);
      }
      points.forEach(function (p) {
        var circle = document.createElementNS(SVGNS, "circle");
        circle.setAttribute("class", "hy-mapa-lugar-punto");
        circle.setAttribute("cx", p[0].toFixed(1));
        circle.setAttribute("cy", p[1].toFixed(1));
        circle.setAttribute("r", points.length > 1 ? "4" : "8");
        drawing.appendChild(circle);
      });
      status.textContent = !points.length ? box.dataset.sin : points.length === 1
        ? box.dataset.hayPunto : box.dataset.hayLinea.replace("{n}", points.length);
    }

    svg.addEventListener("click", function (event) {
      var at = svgPoint(svg, event), position = proj.lonlat(at.x, at.y);
      var positions = mode === "linea" ? (readPositions(text.value) || []) : [];
      positions.push(position);
      write(positions);
    });
    pointButton.addEventListener("click", function () { setMode("punto"); });
    lineButton.addEventListener("click", function () { setMode("linea"); });
    clearButton.addEventListener("click", function () { write([]); });
    text.addEventListener("input", draw);
    setMode((readPositions(text.value) || []).length > 1 ? "linea" : "punto");
    draw();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-hy-comunidades]"),
                                 setUpCommunities);
    Array.prototype.forEach.call(document.querySelectorAll("[data-hy-ubicacion]"),
                                 setUpLocation);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
