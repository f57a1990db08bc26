-- wrk script of the load test (loadtest/carga.py runs it):
--   CARGA_SALIDA=out.json wrk -t2 -c50 -d60s --timeout 30s -s loadtest/carga.lua \
--       http://127.0.0.1:5084 -- RUTAS
-- RUTAS: one path per line (home, search pages, dataset and community pages, API calls), each
-- as many times as its weight; every thread walks the list from its own random start.
-- CARGA_SALIDA: where done() writes the figures as JSON: requests, duration, wrk's errors, the
-- count of each HTTP status, the 503s without the catalog's Spanish message, and latency.

local rutas = {}
local siguiente = 1
local hilos = {}

-- counted per thread, summed in done()
estados = {}
sin_mensaje = 0

local SPANISH = "no est\xC3\xA1 disponible en este momento"  -- "no está disponible ..."

function setup(thread)
   thread:set("id", #hilos + 1)
   table.insert(hilos, thread)
end

function init(args)
   local archivo = assert(io.open(args[1], "r"), "no paths file " .. tostring(args[1]))
   for linea in archivo:lines() do
      if #linea > 0 then table.insert(rutas, linea) end
   end
   archivo:close()
   assert(#rutas > 0, "the paths file is empty")
   math.randomseed(os.time() + (id or 0) * 7919)
   siguiente = math.random(#rutas)
end

function request()
   local ruta = rutas[siguiente]
   siguiente = siguiente % #rutas + 1
   return wrk.format("GET", ruta)
end

function response(status, headers, body)
   estados[status] = (estados[status] or 0) + 1
   if status == 503 and not (body and string.find(body, SPANISH, 1, true)) then
      sin_mensaje = sin_mensaje + 1
   end
end

local function json_de(tabla)
   local partes = {}
   for clave, valor in pairs(tabla) do
      table.insert(partes, string.format('"%s": %s', tostring(clave), tostring(valor)))
   end
   return "{" .. table.concat(partes, ", ") .. "}"
end

function done(summary, latency, requests)
   local estados_total, sin = {}, 0
   for _, hilo in ipairs(hilos) do
      for status, cuenta in pairs(hilo:get("estados")) do
         estados_total[status] = (estados_total[status] or 0) + cuenta
      end
      sin = sin + hilo:get("sin_mensaje")
   end
   local ms = function(us) return string.format("%.1f", us / 1000) end
   local salida = assert(io.open(assert(os.getenv("CARGA_SALIDA"), "CARGA_SALIDA"), "w"))
   salida:write(string.format(
      '{"requests": %d, "duration_s": %.3f, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"statuses": %s, "503_without_spanish_message": %d, ' ..
      '"latency_ms": {"p50": %s, "p90": %s, "p95": %s, "p99": %s, "max": %s, "mean": %s}}\n',
      summary.requests, summary.duration / 1e6, summary.bytes,
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
      summary.errors.timeout, json_de(estados_total), sin,
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
      ms(latency:percentile(99)), ms(latency.max), ms(latency.mean)))
   salida:close()
end
