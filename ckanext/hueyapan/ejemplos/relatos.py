"""The stories of the example data ("Datos de ejemplo"): pure data, every date relative to a day.

:func:`historias` gives each example dataset's story (:class:`Historia`): its fields, the red flags
it must show, the files drawn for it and, for a convocatoria, the proposals of its fictitious
proponents. Nothing here touches the database; ``carga.py`` loads the stories and ``fotos.py``
draws their files.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from ckanext.hueyapan import comun

__all__ = ["MARCA", "VERSION", "Archivo", "Historia", "PropuestaEjemplo", "historias"]

MARCA = "Datos de ejemplo"
#: Bump when the stories change: the next load rewrites every example dataset.
VERSION = "2"


@dataclass(frozen=True)
class Archivo:
    """A file drawn for the example (a JPEG "photo" or a PDF document), uploaded as a resource."""
    nombre: str
    tipo_recurso: str
    lineas: tuple[str, ...]
    foto: bool = True
    descripcion: str = ""


@dataclass(frozen=True)
class PropuestaEjemplo:
    """A proposal of a fictitious proponent and the área's review (``revision``: the moves)."""
    usuario: str
    titulo: str
    comunidad: str
    problema: str
    descripcion: str
    mujeres: int
    hombres: int
    costo: str
    dia: int  # submitted this many days from today
    revision: tuple[str, ...] = ()
    motivo: str = ""
    convertir_en: str = ""  # name of the obra story it becomes


@dataclass(frozen=True)
class Historia:
    """One example dataset: its fields relative to today, the flags it must show, its files."""
    nombre: str
    tipo: str
    area: str
    historia: str
    datos: dict[str, Any]
    alertas: frozenset[str] = frozenset()
    archivos: tuple[Archivo, ...] = ()
    propuestas: tuple[PropuestaEjemplo, ...] = ()
    desde_propuesta: bool = False  # created by converting a proposal, not directly


# --- the stories --------------------------------------------------------------------------------

_CONSTRUCTORA = ("Constructora Ficticia del Sotavento, S.A. de C.V. (empresa inventada, "
                 f"{MARCA})", "CFS010101EJ1")
_SERVICIOS = ("Servicios de Obra Inventados del Papaloapan, S.A. de C.V. (empresa inventada, "
              f"{MARCA})", "SOI020202EJ2")


def _dia(hoy: datetime.date, dias: int) -> str:
    return (hoy + datetime.timedelta(days=dias)).isoformat()


def _anio(hoy: datetime.date, dias: int) -> str:
    return str((hoy + datetime.timedelta(days=dias)).year)


def _consulta(hoy: datetime.date, dias: int, lugar: str, mujeres: int, hombres: int,
              acta: str) -> dict[str, Any]:
    return {"fecha": _dia(hoy, dias), "lugar": lugar, "asistentes_mujeres": mujeres,
            "asistentes_hombres": hombres, "acta": acta}


def _corte(hoy: datetime.date, dias: int, fisico: int, financiero: int, nota: str = ""):
    return {"fecha": _dia(hoy, dias), "avance_fisico": fisico, "avance_financiero": financiero,
            "nota": nota}


def _acta(lugar: str) -> Archivo:
    return Archivo(f"Acta de consulta ciudadana, {lugar} ({MARCA})", "acta_consulta",
                   ("Acta de consulta ciudadana", lugar, "Documento generado: sin firmas,",
                    "sin nombres y sin valor oficial."), foto=False)


def _foto(titulo: str, escena: str, avance: int | None = None) -> Archivo:
    """A drawn "photo": ``escena`` is what it shows (see :data:`_ESCENAS`), ``avance`` the
    physical progress it illustrates."""
    return Archivo(f"{titulo} ({MARCA})", "evidencia_fotografica",
                   (titulo, escena, "" if avance is None else str(avance)),
                   descripcion="Imagen dibujada por computadora para el ejemplo; no es una "
                               "fotografía de una obra real.")


def _obras(hoy: datetime.date) -> list[Historia]:
    d = lambda n: _dia(hoy, n)  # noqa: E731 - short and local
    contrato = lambda clave, n, empresa, monto: {  # noqa: E731
        "contrato_numero": f"HUE-OP-{clave}/{_anio(hoy, n)} (EJEMPLO)", "contrato_fecha": d(n),
        "contratista_razon_social": empresa[0], "contratista_rfc": empresa[1],
        "monto_contratado": monto}
    comun = {"ejercicio_fiscal": _anio(hoy, 0), "mecanismos_vigilancia": ["contraloria_social"],
             "fundamento_legal": ["lcf_fais", "ley_698_veracruz"]}
    return [
        Historia("ejemplo-obra-agua-loma-de-sogotegoyo", "obra", "obras-publicas",
                 "En planeación: la comunidad la aprobó en asamblea hace tres semanas; se prepara "
                 "el proyecto ejecutivo y empezará en dos meses y medio.", {
                     **comun, "etapa": "planeacion", "clave_obra": "EJEMPLO-AGUA-01",
                     "title": "Ampliación de la red de agua potable en Loma de Sogotegoyo",
                     "comunidades": ["300730029"], "rubro_fais": "agua_potable",
                     "modalidad_fais": "ampliacion", "sector": "waterAndWaste",
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "1480000.00"}],
                     "monto_aprobado": "1480000.00", "fecha_inicio": d(75),
                     "fecha_termino_programada": d(195), "beneficiarios_total": 640,
                     "beneficiarios_mujeres": 330, "beneficiarios_hombres": 310,
                     "consultas": [_consulta(hoy, -21, "Loma de Sogotegoyo, escuela primaria",
                                             34, 27, _acta("Loma de Sogotegoyo").nombre)],
                 }, archivos=(_acta("Loma de Sogotegoyo"),)),
        Historia("ejemplo-obra-pavimentacion-santa-catalina", "obra", "obras-publicas",
                 "En contratación: la licitación pública está abierta; el contrato se firmará "
                 "tras el fallo y los trabajos empezarán en un mes.", {
                     **comun, "etapa": "contratacion", "clave_obra": "EJEMPLO-PAV-02",
                     "title": "Pavimentación con concreto hidráulico de la calle principal de "
                              "Santa Catalina",
                     "comunidades": ["300730042"], "rubro_fais": "urbanizacion",
                     "modalidad_fais": "construccion", "sector": "transport.urban",
                     "modalidad_contratacion": "licitacion_publica",
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "2000000.00"},
                                                {"fuente": "estatal", "monto": "350000.00"}],
                     "monto_aprobado": "2350000.00", "fecha_inicio": d(30),
                     "fecha_termino_programada": d(150), "beneficiarios_total": 1450,
                     "beneficiarios_mujeres": 735, "beneficiarios_hombres": 715,
                     "convocatoria_origen": ["ejemplo-licitacion-pavimentacion-santa-catalina"],
                     "consultas": [_consulta(hoy, -90, "Santa Catalina, casa ejidal", 52, 41,
                                             _acta("Santa Catalina").nombre)],
                 }, archivos=(_acta("Santa Catalina"),)),
        Historia("ejemplo-obra-drenaje-los-mangos", "obra", "obras-publicas",
                 "En ejecución y a tiempo: 58 % construido a mitad del plazo, pagos al ritmo "
                 "del avance.", {
                     **comun, "etapa": "ejecucion", "clave_obra": "EJEMPLO-DREN-03",
                     "title": "Construcción de drenaje sanitario en Los Mangos",
                     "comunidades": ["300730030"], "rubro_fais": "drenaje_letrinas",
                     "modalidad_fais": "construccion", "sector": "waterAndWaste",
                     "modalidad_contratacion": "licitacion_publica",
                     **contrato("DREN-03", -105, _CONSTRUCTORA, "1865400.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "1900000.00"}],
                     "monto_aprobado": "1900000.00", "monto_ejercido": "932700.00",
                     "fecha_inicio": d(-95), "fecha_termino_programada": d(65),
                     "avance_fisico": 58, "avance_financiero": 50,
                     "historial_avance": [_corte(hoy, -65, 12, 10), _corte(hoy, -35, 34, 30),
                                          _corte(hoy, -5, 58, 50)],
                     "beneficiarios_total": 910, "beneficiarios_mujeres": 470,
                     "beneficiarios_hombres": 440,
                     "comite_contraloria_social": "Comité de contraloría social de Los Mangos "
                                                  "(ficticio): 3 mujeres y 2 hombres.",
                     "consultas": [_consulta(hoy, -150, "Los Mangos, cancha techada", 61, 48,
                                             _acta("Los Mangos").nombre)],
                 }, archivos=(_acta("Los Mangos"),
                              _foto("Zanja y tubería, avance 34 %", "zanja", 34),
                              _foto("Pozos de visita, avance 58 %", "zanja", 58))),
        Historia("ejemplo-obra-muro-hueyapan-de-soconusco", "obra", "obras-publicas",
                 "Obra de emergencia tras un deslave: empezó sin consulta ciudadana registrada, "
                 "por eso muestra la alerta «sin consulta registrada».", {
                     **comun, "etapa": "ejecucion", "clave_obra": "EJEMPLO-MURO-12",
                     "title": "Muro de contención de emergencia en Hueyapan de Soconusco",
                     "comunidades": ["300730021"], "rubro_fais": "no_aplica",
                     "modalidad_fais": "construccion", "sector": "transport.road",
                     "modalidad_contratacion": "administracion_directa",
                     "fuentes_financiamiento": [{"fuente": "recursos_propios",
                                                 "monto": "540000.00"}],
                     "monto_aprobado": "540000.00", "monto_ejercido": "297000.00",
                     "fecha_inicio": d(-20), "fecha_termino_programada": d(25),
                     "avance_fisico": 60, "avance_financiero": 55,
                     "historial_avance": [_corte(hoy, -2, 60, 55, "Emergencia: deslave sobre el "
                                                                  "camino de acceso.")],
                     "beneficiarios_total": 600, "beneficiarios_mujeres": 305,
                     "beneficiarios_hombres": 295, "fundamento_legal": ["ley_698_veracruz"],
                 }, alertas=frozenset({"sin_consulta"}),
                 archivos=(_foto("Muro de contención, avance 60 %", "muro", 60),)),
        Historia("ejemplo-obra-aulas-el-aguacate", "obra", "obras-publicas",
                 "En ejecución y retrasada: debía terminar hace 40 días; las lluvias pararon los "
                 "trabajos tres semanas y va en 82 %.", {
                     **comun, "etapa": "ejecucion", "clave_obra": "EJEMPLO-AULA-04",
                     "title": "Rehabilitación de aulas de la escuela primaria de El Aguacate",
                     "comunidades": ["300730002"], "rubro_fais": "educacion",
                     "modalidad_fais": "rehabilitacion", "sector": "education",
                     "modalidad_contratacion": "invitacion_tres",
                     **contrato("AULA-04", -180, _SERVICIOS, "968000.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "980000.00"}],
                     "monto_aprobado": "980000.00", "monto_ejercido": "726000.00",
                     "fecha_inicio": d(-170), "fecha_termino_programada": d(-40),
                     "avance_fisico": 82, "avance_financiero": 75,
                     "historial_avance": [
                         _corte(hoy, -130, 20, 30), _corte(hoy, -90, 45, 45),
                         _corte(hoy, -50, 55, 55, "Trabajos suspendidos tres semanas por lluvias."),
                         _corte(hoy, -10, 82, 75)],
                     "beneficiarios_total": 310, "beneficiarios_mujeres": 158,
                     "beneficiarios_hombres": 152,
                     "consultas": [_consulta(hoy, -200, "El Aguacate, escuela primaria", 44, 30,
                                             _acta("El Aguacate").nombre)],
                 }, alertas=frozenset({"retraso"}),
                 archivos=(_acta("El Aguacate"), _foto("Aulas con techo nuevo, avance 82 %",
                                                       "edificio", 82))),
        Historia("ejemplo-obra-casa-de-salud-sabaneta", "obra", "obras-publicas",
                 "En ejecución por adjudicación directa (monto menor): empezó hace 25 días y va "
                 "a tiempo.", {
                     **comun, "etapa": "ejecucion", "clave_obra": "EJEMPLO-SALUD-05",
                     "title": "Rehabilitación de la casa de salud de Sabaneta",
                     "comunidades": ["300730040"], "rubro_fais": "salud",
                     "modalidad_fais": "rehabilitacion", "sector": "health",
                     "modalidad_contratacion": "adjudicacion_directa",
                     **contrato("SALUD-05", -30, _SERVICIOS, "378500.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "380000.00"}],
                     "monto_aprobado": "380000.00", "monto_ejercido": "113550.00",
                     "fecha_inicio": d(-25), "fecha_termino_programada": d(50),
                     "avance_fisico": 30, "avance_financiero": 30,
                     "historial_avance": [_corte(hoy, -3, 30, 30)],
                     "beneficiarios_total": 1200, "beneficiarios_mujeres": 600,
                     "beneficiarios_hombres": 600,
                     "consultas": [_consulta(hoy, -70, "Sabaneta, casa de salud", 38, 22,
                                             _acta("Sabaneta").nombre)],
                 }, alertas=frozenset({"adjudicacion_directa"}),
                 archivos=(_acta("Sabaneta"),)),
        Historia("ejemplo-obra-electrificacion-tierra-nueva", "obra", "obras-publicas",
                 "Suspendida al 25 %: la comunidad pidió revisar el trazo de la línea; el plazo "
                 "aún no vence.", {
                     **comun, "etapa": "suspendida", "clave_obra": "EJEMPLO-ELEC-06",
                     "title": "Ampliación de la red eléctrica en Tierra Nueva",
                     "comunidades": ["300730048"], "rubro_fais": "electrificacion",
                     "modalidad_fais": "ampliacion", "sector": "energy",
                     "modalidad_contratacion": "invitacion_tres",
                     **contrato("ELEC-06", -90, _CONSTRUCTORA, "1240000.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "1250000.00"}],
                     "monto_aprobado": "1250000.00", "monto_ejercido": "248000.00",
                     "fecha_inicio": d(-80), "fecha_termino_programada": d(40),
                     "avance_fisico": 25, "avance_financiero": 20,
                     "historial_avance": [
                         _corte(hoy, -50, 15, 20), _corte(hoy, -20, 25, 20,
                                                          "Suspendida: se revisa el trazo de la "
                                                          "línea con la comunidad.")],
                     "beneficiarios_total": 520, "beneficiarios_mujeres": 262,
                     "beneficiarios_hombres": 258,
                     "consultas": [_consulta(hoy, -130, "Tierra Nueva, galera comunitaria", 29,
                                             35, _acta("Tierra Nueva").nombre)],
                 }, archivos=(_acta("Tierra Nueva"), _foto("Postes colocados, avance 25 %",
                                                          "postes", 25))),
        Historia("ejemplo-obra-cuartos-santa-rosa-loma-larga", "obra", "obras-publicas",
                 "Concluida a tiempo y dentro del presupuesto hace 24 días; el finiquito está en "
                 "trámite y aún no vence su plazo.", {
                     **comun, "etapa": "concluida", "clave_obra": "EJEMPLO-VIV-07",
                     "ejercicio_fiscal": _anio(hoy, -150),
                     "title": "Construcción de cuartos dormitorio en Santa Rosa Loma Larga",
                     "comunidades": ["300730043"], "rubro_fais": "vivienda",
                     "modalidad_fais": "construccion", "sector": "socialHousing",
                     "modalidad_contratacion": "licitacion_publica",
                     **contrato("VIV-07", -160, _CONSTRUCTORA, "1520000.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "1550000.00"}],
                     "monto_aprobado": "1550000.00", "monto_ejercido": "1520000.00",
                     "fecha_inicio": d(-150), "fecha_termino_programada": d(-20),
                     "fecha_termino_real": d(-24), "avance_fisico": 100, "avance_financiero": 100,
                     "historial_avance": [_corte(hoy, -110, 30, 30), _corte(hoy, -60, 70, 65),
                                          _corte(hoy, -24, 100, 100, "Entrega-recepción.")],
                     "beneficiarios_total": 76, "beneficiarios_mujeres": 40,
                     "beneficiarios_hombres": 36,
                     "consultas": [_consulta(hoy, -190, "Santa Rosa Loma Larga, agencia municipal",
                                             57, 39, _acta("Santa Rosa Loma Larga").nombre)],
                 }, archivos=(_acta("Santa Rosa Loma Larga"),
                              _foto("Cuartos dormitorio terminados", "edificio", 100))),
        Historia("ejemplo-obra-pavimentacion-cuatotolapan", "obra", "obras-publicas",
                 "Concluida con sobrecosto: un convenio modificatorio sumó 13 % al contrato por "
                 "el hundimiento de un tramo (y 20 días al plazo, que sí se cumplió).", {
                     **comun, "etapa": "concluida", "clave_obra": "EJEMPLO-PAV-08",
                     "ejercicio_fiscal": _anio(hoy, -160),
                     "title": "Pavimentación de la avenida de la estación en Cuatotolapan Estación",
                     "comunidades": ["300730011"], "rubro_fais": "urbanizacion",
                     "modalidad_fais": "construccion", "sector": "transport.urban",
                     "modalidad_contratacion": "licitacion_publica",
                     **contrato("PAV-08", -170, _CONSTRUCTORA, "1600000.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "1650000.00"},
                                                {"fuente": "recursos_propios",
                                                 "monto": "160000.00"}],
                     "monto_aprobado": "1650000.00", "monto_modificado": "1810000.00",
                     "monto_ejercido": "1810000.00",
                     "convenios_modificatorios": [{
                         "numero": f"HUE-OP-PAV-08/{_anio(hoy, -60)}-CM1 (EJEMPLO)",
                         "fecha": d(-60), "objeto": "Volumen adicional de concreto y base "
                                                    "por el hundimiento de un tramo de 80 m.",
                         "monto": "210000.00", "plazo": "20 días naturales adicionales"}],
                     "fecha_inicio": d(-160), "fecha_termino_programada": d(-14),
                     "fecha_termino_real": d(-14), "avance_fisico": 100,
                     "avance_financiero": 100,
                     "historial_avance": [
                         _corte(hoy, -120, 25, 25), _corte(hoy, -70, 55, 50,
                                                           "Hundimiento de un tramo: se firma un "
                                                           "convenio modificatorio."),
                         _corte(hoy, -14, 100, 100, "Entrega-recepción.")],
                     "beneficiarios_total": 2200, "beneficiarios_mujeres": 1100,
                     "beneficiarios_hombres": 1100,
                     "consultas": [_consulta(hoy, -200, "Cuatotolapan Estación, parque central",
                                             73, 66, _acta("Cuatotolapan Estación").nombre)],
                 }, alertas=frozenset({"sobrecosto"}),
                 archivos=(_acta("Cuatotolapan Estación"),
                           Archivo(f"Convenio modificatorio CM1 ({MARCA})",
                                   "convenio_modificatorio",
                                   ("Convenio modificatorio CM1", "+ $210,000.00 y 20 días"),
                                   foto=False),
                           _foto("Avenida pavimentada", "camino", 100))),
        Historia("ejemplo-obra-techado-juan-diaz-covarrubias", "obra", "obras-publicas",
                 "Finiquitada: terminó cinco días antes de lo programado y costó menos de lo "
                 "contratado; el finiquito está publicado.", {
                     **comun, "etapa": "finiquitada", "clave_obra": "EJEMPLO-EDU-09",
                     "ejercicio_fiscal": _anio(hoy, -420),
                     "title": "Techado de la plaza cívica de la escuela secundaria de "
                              "Juan Díaz Covarrubias",
                     "comunidades": ["300730022"], "rubro_fais": "educacion",
                     "modalidad_fais": "construccion", "sector": "education",
                     "modalidad_contratacion": "invitacion_tres",
                     **contrato("EDU-09", -430, _SERVICIOS, "845000.00"),
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "860000.00"}],
                     "monto_aprobado": "860000.00", "monto_ejercido": "838200.00",
                     "monto_final": "838200.00",
                     "fecha_inicio": d(-420), "fecha_termino_programada": d(-300),
                     "fecha_termino_real": d(-305), "avance_fisico": 100,
                     "avance_financiero": 100,
                     "historial_avance": [_corte(hoy, -380, 35, 30), _corte(hoy, -340, 80, 70),
                                          _corte(hoy, -305, 100, 100, "Entrega-recepción."),
                                          _corte(hoy, -260, 100, 100, "Finiquito firmado.")],
                     "beneficiarios_total": 430, "beneficiarios_mujeres": 221,
                     "beneficiarios_hombres": 209,
                     "consultas": [_consulta(hoy, -460, "Juan Díaz Covarrubias, escuela secundaria",
                                             81, 64, _acta("Juan Díaz Covarrubias").nombre)],
                 }, archivos=(_acta("Juan Díaz Covarrubias"),
                              Archivo(f"Finiquito de la obra ({MARCA})", "finiquito",
                                      ("Finiquito", "Monto final $838,200.00"), foto=False),
                              _foto("Techado terminado", "edificio", 100))),
        Historia("ejemplo-obra-puente-nacaxtle", "obra", "obras-publicas",
                 "Cancelada: la licitación se declaró desierta dos veces y el cabildo reasignó "
                 "el recurso; nada se pagó.", {
                     **comun, "etapa": "cancelada", "clave_obra": "EJEMPLO-PTE-10",
                     "ejercicio_fiscal": _anio(hoy, -120),
                     "title": "Construcción de puente peatonal en Nacaxtle",
                     "comunidades": ["300730033"], "rubro_fais": "urbanizacion",
                     "modalidad_fais": "construccion", "sector": "transport.road",
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "2700000.00"}],
                     "monto_aprobado": "2700000.00", "fecha_inicio": d(-120),
                     "fecha_termino_programada": d(60),
                     "historial_avance": [_corte(hoy, -100, 0, 0,
                                                 "Cancelada: licitación desierta dos veces.")],
                     "consultas": [_consulta(hoy, -210, "Nacaxtle, salón ejidal", 47, 52,
                                             _acta("Nacaxtle").nombre)],
                 }, archivos=(_acta("Nacaxtle"),)),
        Historia("ejemplo-obra-pozo-zapoapan-de-amapan", "obra", "obras-publicas",
                 "Nació de una propuesta comunitaria aprobada en la convocatoria de obras "
                 "comunitarias; en planeación, con consulta hecha.", {
                     **comun, "etapa": "planeacion", "clave_obra": "EJEMPLO-POZO-11",
                     "title": "Rehabilitación del pozo de agua de Zapoapan de Amapan",
                     "comunidades": ["300730050"], "rubro_fais": "agua_potable",
                     "modalidad_fais": "rehabilitacion", "sector": "waterAndWaste",
                     "fuentes_financiamiento": [{"fuente": "fism", "monto": "420000.00"}],
                     "monto_aprobado": "420000.00", "fecha_inicio": d(45),
                     "fecha_termino_programada": d(150), "beneficiarios_total": 410,
                     "beneficiarios_mujeres": 215, "beneficiarios_hombres": 195,
                     "convocatoria_origen": ["ejemplo-convocatoria-obras-comunitarias"],
                     "consultas": [_consulta(hoy, -90, "Zapoapan de Amapan, galera", 46, 33,
                                             _acta("Zapoapan de Amapan").nombre)],
                 }, archivos=(_acta("Zapoapan de Amapan"),), desde_propuesta=True),
    ]


def _programas(hoy: datetime.date) -> list[Historia]:
    d = lambda n: _dia(hoy, n)  # noqa: E731
    return [
        Historia("ejemplo-programa-alimentario-personas-mayores", "programa-social",
                 "dif-municipal", "Vigente: entrega una despensa al mes a 280 personas mayores "
                 "de tres comunidades.", {
                     "title": "Apoyo alimentario a personas mayores",
                     "clave_programa": "EJEMPLO-DIF-01", "ejercicio_fiscal": _anio(hoy, 0),
                     "tipo_programa": "especie", "vigencia_inicio": d(-125), "vigencia_fin": d(240),
                     "comunidades": ["300730030", "300730002", "300730001"],
                     "enfoque": ["personas_mayores"],
                     "poblacion_objetivo": "Personas de 65 años o más sin pensión.",
                     "requisitos": ["Tener 65 años o más", "Vivir en una comunidad atendida"],
                     "apoyo_por_beneficiario": [{"descripcion": "Despensa mensual",
                                                 "monto": "650.00", "tipo": "en especie"}],
                     "monto_aprobado": "2184000.00", "monto_ejercido": "728000.00",
                     "metas": [{"descripcion": "Personas mayores con despensa mensual",
                                "cantidad": 280, "unidad": "personas"}],
                     "beneficiarios": [
                         {"comunidad": "300730030", "mujeres": 48, "hombres": 37, "total": 85},
                         {"comunidad": "300730002", "mujeres": 41, "hombres": 30, "total": 71},
                         {"comunidad": "300730001", "mujeres": 70, "hombres": 54, "total": 124}],
                 }, archivos=(_foto("Entrega de despensas", "entrega"),)),
        Historia("ejemplo-programa-semilla-maiz", "programa-social", "desarrollo-agropecuario",
                 "Vigente: semilla de maíz para el ciclo primavera-verano a 210 productoras y "
                 "productores.", {
                     "title": "Semilla de maíz para el ciclo de temporal",
                     "clave_programa": "EJEMPLO-AGRO-02", "ejercicio_fiscal": _anio(hoy, 0),
                     "tipo_programa": "especie", "vigencia_inicio": d(-40), "vigencia_fin": d(110),
                     "comunidades": ["300730029", "300730043", "300730048"],
                     "enfoque": ["genero"],
                     "poblacion_objetivo": "Personas productoras de maíz con hasta 3 hectáreas.",
                     "apoyo_por_beneficiario": [{"descripcion": "Saco de 20 kg de semilla",
                                                 "monto": "1450.00", "tipo": "en especie"}],
                     "monto_aprobado": "304500.00",
                     "metas": [{"descripcion": "Productoras y productores apoyados",
                                "cantidad": 210, "unidad": "personas"}],
                     "beneficiarios": [
                         {"comunidad": "300730029", "mujeres": 22, "hombres": 61, "total": 83},
                         {"comunidad": "300730043", "mujeres": 18, "hombres": 54, "total": 72},
                         {"comunidad": "300730048", "mujeres": 15, "hombres": 40, "total": 55}],
                 }),
        Historia("ejemplo-programa-transporte-escolar", "programa-social", "desarrollo-social",
                 "Terminado hace poco más de un mes: apoyó el transporte de 157 estudiantes "
                 "durante el ciclo escolar.", {
                     "title": "Apoyo al transporte escolar de bachillerato",
                     "clave_programa": "EJEMPLO-DS-03", "ejercicio_fiscal": _anio(hoy, -400),
                     "tipo_programa": "transferencia", "vigencia_inicio": d(-400),
                     "vigencia_fin": d(-36), "comunidades": ["300730011", "300730040"],
                     "enfoque": ["juventud"],
                     "apoyo_por_beneficiario": [{"descripcion": "Apoyo mensual para pasajes",
                                                 "monto": "400.00", "tipo": "en dinero"}],
                     "monto_aprobado": "628000.00", "monto_ejercido": "628000.00",
                     "beneficiarios": [
                         {"comunidad": "300730011", "mujeres": 58, "hombres": 49, "total": 107},
                         {"comunidad": "300730040", "mujeres": 23, "hombres": 27, "total": 50}],
                 }),
    ]


def _convocatorias(hoy: datetime.date) -> list[Historia]:
    d = lambda n: _dia(hoy, n)  # noqa: E731
    comun = {"lugar_entrega": "Palacio Municipal, planta baja, de lunes a viernes de 9:00 a "
                              f"15:00 h ({MARCA}).",
             "contacto": f"Ventanilla del área convocante, Palacio Municipal ({MARCA})."}
    return [
        Historia("ejemplo-convocatoria-empleo-temporal", "convocatoria", "desarrollo-social",
                 "Próxima: abre en doce días.", {
                     **comun, "title": "Empleo temporal para la limpieza de caminos",
                     "tipo_convocatoria": "empleo", "folio": "EJEMPLO-ET-01",
                     "objeto": "Inscribir a 60 personas para jornadas de limpieza de caminos "
                               "vecinales.",
                     "comunidades": ["30073"], "fecha_publicacion": d(-2), "fecha_apertura": d(12),
                     "fecha_cierre": d(33), "fecha_resultados": d(45),
                 }),
        Historia("ejemplo-convocatoria-proyectos-comunitarios", "convocatoria",
                 "participacion-ciudadana", "Abierta: recibe propuestas tres semanas más; ya "
                 "llegaron dos.", {
                     **comun, "title": "Propuestas de proyectos comunitarios",
                     "tipo_convocatoria": "propuesta_proyecto", "folio": "EJEMPLO-PC-02",
                     "objeto": "Recibir propuestas de obras pequeñas respaldadas por la asamblea "
                               "de la comunidad.",
                     "comunidades": ["30073"], "fecha_publicacion": d(-12), "fecha_apertura": d(-9),
                     "fecha_cierre": d(21), "fecha_resultados": d(40),
                 }, propuestas=(
                     PropuestaEjemplo("ejemplo-agente-la-gloria", "Banquetas frente a la escuela "
                                "de La Gloria", "300730017", "Las niñas y niños caminan por el "
                                "lodo en temporada de lluvias.", "120 m de banqueta de concreto.",
                                140, 120, "310000", -4),
                     PropuestaEjemplo("ejemplo-colectivo-chacalapan", "Alumbrado del camino a "
                                "Chacalapan", "300730013", "El camino está oscuro de noche.",
                                "Doce luminarias solares.", 180, 150, "260000", -2,
                                revision=("en_revision",)))),
        Historia("ejemplo-licitacion-pavimentacion-santa-catalina", "convocatoria",
                 "obras-publicas", "Abierta: licitación pública de la pavimentación de Santa "
                 "Catalina; cierra en ocho días.", {
                     **comun, "title": "Licitación pública: pavimentación de la calle principal "
                                       "de Santa Catalina",
                     "tipo_convocatoria": "licitacion_obra", "folio": "EJEMPLO-LP-03",
                     "objeto": "Contratar la pavimentación con concreto hidráulico de 640 m de "
                               "calle.",
                     "comunidades": ["300730042"], "fecha_publicacion": d(-6),
                     "fecha_apertura": d(-6), "fecha_visita_sitio": d(-1),
                     "fecha_junta_aclaraciones": d(1), "fecha_cierre": d(8),
                     "fecha_apertura_propuestas": d(9), "fecha_resultados": d(15),
                 }),
        Historia("ejemplo-convocatoria-mejoramiento-escuelas", "convocatoria",
                 "participacion-ciudadana", "Cerrada: el área revisa las tres propuestas; "
                 "publica resultados en doce días.", {
                     **comun, "title": "Propuestas para mejorar escuelas",
                     "tipo_convocatoria": "participacion_ciudadana", "folio": "EJEMPLO-ME-04",
                     "objeto": "Propuestas de madres, padres y docentes para mejorar escuelas.",
                     "comunidades": ["30073"], "fecha_publicacion": d(-58),
                     "fecha_apertura": d(-55), "fecha_cierre": d(-18), "fecha_resultados": d(12),
                 }, propuestas=(
                     PropuestaEjemplo("ejemplo-comite-loma-de-oro", "Sanitarios de la escuela de "
                                "Loma de Oro", "300730027", "Los sanitarios no tienen agua.",
                                "Conectar los sanitarios a la red y cambiar muebles.", 60, 55,
                                "150000", -40, revision=("en_revision", "aprobada")),
                     PropuestaEjemplo("ejemplo-agente-la-gloria", "Barda perimetral de la escuela "
                                "de La Gloria", "300730017", "El ganado entra al patio.",
                                "80 m de barda de block.", 90, 85, "240000", -30,
                                revision=("en_revision",)),
                     PropuestaEjemplo("ejemplo-colectivo-chacalapan", "Cancha nueva en Chacalapan",
                                "300730013", "No hay cancha.", "Una cancha de usos múltiples.",
                                70, 90, "900000", -25, revision=("rechazada",),
                                motivo="Supera el monto máximo de la convocatoria ($500,000)."))),
        Historia("ejemplo-convocatoria-obras-comunitarias", "convocatoria", "obras-publicas",
                 "Resuelta: de tres propuestas, una ya es obra, otra espera presupuesto y una no "
                 "procedió.", {
                     **comun, "title": "Convocatoria de obras comunitarias",
                     "tipo_convocatoria": "propuesta_proyecto", "folio": "EJEMPLO-OC-05",
                     "objeto": "Recibir propuestas de obra de las comunidades para el programa "
                               "de inversión.",
                     "comunidades": ["30073"], "fecha_publicacion": d(-165),
                     "fecha_apertura": d(-160), "fecha_cierre": d(-130),
                     "fecha_resultados": d(-110),
                     "resultados_recibidas": 3, "resultados_aprobadas": 2,
                     "resultados_rechazadas": 1, "resultados_mujeres": 136,
                     "resultados_hombres": 118,
                     "obras_resultantes": ["ejemplo-obra-pozo-zapoapan-de-amapan"],
                 }, propuestas=(
                     PropuestaEjemplo("ejemplo-comite-zapoapan", "Rehabilitación del pozo de agua "
                                "de Zapoapan de Amapan", "300730050", "El pozo se azolvó y el agua "
                                "no alcanza.", "Desazolve, ademe y bomba nueva.", 215, 195,
                                "420000", -150, revision=("en_revision", "aprobada"),
                                convertir_en="ejemplo-obra-pozo-zapoapan-de-amapan"),
                     PropuestaEjemplo("ejemplo-comite-loma-de-oro", "Techado del salón comunitario "
                                "de Loma de Oro", "300730027", "Las asambleas se hacen al sol.",
                                "Estructura y lámina para 200 m².", 70, 60, "380000", -145,
                                revision=("en_revision", "aprobada")),
                     PropuestaEjemplo("ejemplo-agente-la-gloria", "Carretera La Gloria - Sabaneta",
                                "300730017", "El camino se corta en lluvias.",
                                "Pavimentar 6 km.", 500, 480, "30000000", -140,
                                revision=("rechazada",),
                                motivo="Es un camino estatal: se turnó al gobierno del estado."))),
    ]


def historias(hoy: datetime.date | None = None) -> list[Historia]:
    """Every example dataset's story, dated relative to ``hoy`` (default: today)."""
    hoy = hoy or comun.today()
    return _programas(hoy) + _convocatorias(hoy) + _obras(hoy)
