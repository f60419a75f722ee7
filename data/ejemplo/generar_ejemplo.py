"""Generate the sample data of mdrm: a synthetic 5W of Tacna (2020) and the Mesa's registry.

Why: the kit needs fictional, redistributable data in the R4V Spanish 5W export format
(docs/metodologia.md §1, §9) whose September 2020 reproduces every figure of the seed dashboard
(seed/seed_figures.yml) under basis `mensual`, method `maximo`, level `admin2`, and whose
other months carry realistic month-to-month variation and the quality issues of real
exports. Deterministic: seeded RNG and fixed xlsx timestamps, so every run writes the
same bytes.

Run from the repository root:  .venv/bin/python data/ejemplo/generar_ejemplo.py

Writes data/ejemplo/5w_tacna_2020.xlsx (sheet "5W - RMRP 2020 - Español") and
data/ejemplo/organizaciones_tacna.csv. All organization names are invented.

Planted quality issues (never in September, where the only one is a harmless Q02 of
Fundación Nutrir Futuro, tamizaje; see PLANTED below, which is the source; organization =
appealing organization):
  Q09 fractional people  2020-01 Defensoría Legal Migrante (orientaciones, EN DESTINO x.4)
                         2020-07 Colectivo Venezolanos Unidos en Tacna (orientaciones)
  Q02 age/sex != new     2020-02 Acción Sur por la Niñez (espacios amigables)
                         2020-11 Asociación Mujeres de la Frontera (acompañamiento de casos)
  Q01 population != new  2020-03 Brigadas de Salud Integral del Sur (consultas APS)
                         2020-10 Colectivo Venezolanos Unidos en Tacna (transferencia MPC)
  Q07 people, no split   2020-04 Fundación Camino Seguro (canastas de alimentos)
                         2020-12 Instituto de Salud Comunitaria Altiplano (campaña de salud)
  Q04 CVA Si, no USD     2020-05 Agencia Andina de Cooperación Humanitaria (transferencia MPC;
                                 implementer Asociación Manos Solidarias)
                         2020-12 Fundación Camino Seguro (subsidio de alquiler)
  Q03 new > total        2020-06 Albergue Casa de Paso Santa Rosa (alojamiento temporal)
                         2020-10 Red Frontera Humanitaria (refrigerios)
  Q05 USD > 0, CVA No    2020-06 Fundación Nutrir Futuro (micronutrientes)
                         2020-08 Comunidad Cristiana Buen Samaritano (comida fría/caliente;
                                 implementer Comedor Popular Virgen de la Esperanza)
  Q06 unknown sector     2020-07 Red Frontera Humanitaria (transporte) "Alojamiento y Transporte"
                         2020-12 Albergue Casa de Paso Santa Rosa (alojamiento) "Alojamiento y Transporte"
  Q08 duplicated row     2020-11 Asociación Manos Solidarias (kits de higiene), exact copy
Also, outside September: blank numeric cells (mean 0) in population, age/sex and quantity
columns; "Sí" (accented) and one blank "Actividad RMRP"; organization names written
without accents or in capitals (2020-03, 2020-11), equal once normalized; RMRP "No" rows;
pendular people (Jan-Mar, Dec) and Colombian returnees (Nov, Dec); about ten Moquegua rows
over the year (two in September) that a Tacna report must leave out.
"""

from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
XLSX = HERE / "5w_tacna_2020.xlsx"
CSV = HERE / "organizaciones_tacna.csv"
SHEET = "5W - RMRP 2020 - Español"
FIXED_TIME = datetime(2020, 10, 15, 9, 0, 0)

HEADERS = [
    "País Country", "País Admin1", "Admin2", "Socio principal Nombre", "Método de implementacion",
    "Socio Implementador Nombre", "Month", "Indicador Sector", "Indicador", "Nombre de la actividad",
    "Descripcion de la actividad", "Actividad RMRP", "CVA", "Valor de transferencia (en USD)",
    "Modalidad de entrega", "Cantidad de productos generados", "Total beneficiarios mensuales",
    "Nuevos beneficiarios del mes", "Refugiados y migrantes EN DESTINO",
    "Refugiados y migrantes EN TRANSITO", "Comunidades de acogida",
    "Refugiados y migrantes PENDULARES", "Colombianos Retornados",
    "Ninas y Adolescentes menores de 18", "Ninos y Adolescentes menores de 18", "Mujeres adultas",
    "Hombres adultos", "Otro menores de 18", "Otro adultos",
]
POP = ["perm", "trans", "acog", "pend", "ret"]          # the five population columns
SEXAGE = ["ninas", "ninos", "mujeres", "hombres", "otros_menores", "otros_adultos"]

# ---------------------------------------------------------------------------------------
# Organizations: the Mesa's members (registry) and a few non-member implementing partners.
# Per-subgroup counts must be: proteccion 12, necesidades_basicas 6, salud_nutricion 4,
# cbi_multisectorial 3, integracion 1, manejo_informacion 1, educacion 0.
# ---------------------------------------------------------------------------------------
MANOS = "Asociación Manos Solidarias"
CAMINO = "Fundación Camino Seguro"
FRONTERA = "Red Frontera Humanitaria"
SAMARITANO = "Comunidad Cristiana Buen Samaritano"
ANDINA = "Agencia Andina de Cooperación Humanitaria"
ALBERGUE = "Albergue Casa de Paso Santa Rosa"
BRIGADAS = "Brigadas de Salud Integral del Sur"
NUTRIR = "Fundación Nutrir Futuro"
ALTIPLANO = "Instituto de Salud Comunitaria Altiplano"
AYNI = "Centro de Escucha Psicosocial Ayni"
DEFENSORIA = "Defensoría Legal Migrante"
MUJERES = "Asociación Mujeres de la Frontera"
ACCION = "Acción Sur por la Niñez"
COLECTIVO = "Colectivo Venezolanos Unidos en Tacna"
PUENTES = "Fundación Puentes de Integración"
OBSERVATORIO = "Observatorio Regional de Movilidad Humana"

ORGS = [
    (MANOS, "ONG nacional", ["necesidades_basicas", "proteccion"]),
    (CAMINO, "ONG internacional", ["necesidades_basicas", "proteccion", "cbi_multisectorial"]),
    (FRONTERA, "ONG internacional", ["necesidades_basicas", "proteccion"]),
    (SAMARITANO, "Organización de fe", ["necesidades_basicas", "proteccion"]),
    (ANDINA, "Agencia de cooperación", ["necesidades_basicas", "proteccion", "cbi_multisectorial"]),
    (ALBERGUE, "Organización de fe", ["necesidades_basicas"]),
    (BRIGADAS, "ONG internacional", ["salud_nutricion", "proteccion"]),
    (NUTRIR, "ONG nacional", ["salud_nutricion"]),
    (ALTIPLANO, "ONG nacional", ["salud_nutricion", "proteccion"]),
    (AYNI, "ONG nacional", ["salud_nutricion", "proteccion"]),
    (DEFENSORIA, "ONG nacional", ["proteccion"]),
    (MUJERES, "Organización de sociedad civil", ["proteccion"]),
    (ACCION, "ONG internacional", ["proteccion"]),
    (COLECTIVO, "Organización de refugiados y migrantes", ["proteccion", "cbi_multisectorial"]),
    (PUENTES, "ONG nacional", ["integracion"]),
    (OBSERVATORIO, "Academia", ["manejo_informacion"]),
]
EXPECTED_PER_SUBGROUP = {"proteccion": 12, "necesidades_basicas": 6, "salud_nutricion": 4,
                         "cbi_multisectorial": 3, "integracion": 1, "manejo_informacion": 1,
                         "educacion": 0}

# Implementing partners that are not members of the Mesa (fictional too).
JUVENIL = "Asociación Juvenil Nuevos Horizontes"
VOLUNTARIOS = "Red de Voluntarios Tacna Solidaria"
COMEDOR = "Comedor Popular Virgen de la Esperanza"

# ---------------------------------------------------------------------------------------
# Sectors (Spanish names of mdrm/definitions/subgrupos.yml) and their R4V-style indicators.
# ---------------------------------------------------------------------------------------
ALOJ = "Alojamiento"
SEGAL = "Seguridad Alimentaria"
WASH = "Agua, Saneamiento e Higiene"
TRANSP = "Transporte Humanitario"
NFI = "Artículos no Alimentarios"
SALUD = "Salud"
NUTRI = "Nutrición"
PROT = "Protección (General)"
NINEZ = "Protección (Protección de la Niñez)"
VBG = "Protección (VBG)"
CBI = "CBI Multipropósito"
INTEG = "Integración"
EDU = "Educación"
IM = "Servicios Comunes (Manejo de Información)"
UNKNOWN_SECTOR = "Alojamiento y Transporte"     # not in the catalog: quality issue Q06

INDICATORS = {
    ALOJ: "# de refugiados y migrantes apoyados con albergue colectivo o individual",
    SEGAL: "# de refugiados y migrantes que reciben asistencia alimentaria",
    WASH: "# de personas que acceden a artículos de higiene y a servicios de agua y saneamiento",
    TRANSP: "# de refugiados y migrantes que reciben transporte humanitario",
    NFI: "# de personas que reciben artículos no alimentarios",
    SALUD: "# de atenciones de salud brindadas a refugiados, migrantes y comunidad de acogida",
    NUTRI: "# de niñas y niños menores de 5 años y mujeres gestantes o lactantes con servicios de nutrición",
    PROT: "# de personas refugiadas y migrantes que recibieron asistencia de protección y servicios especializados",
    NINEZ: "# de niñas, niños y adolescentes que reciben servicios de protección de la niñez",
    VBG: "# de personas sobrevivientes o en riesgo de VBG que reciben servicios de respuesta o prevención",
    CBI: "# de personas beneficiadas de transferencias monetarias multipropósito (MPC)",
    INTEG: "# de refugiados, migrantes y miembros de la comunidad de acogida apoyados para su integración socioeconómica",
    EDU: "# de niñas, niños y adolescentes inscritos en educación formal o no formal",
    IM: "# de productos de manejo de información elaborados para la respuesta",
}

# ---------------------------------------------------------------------------------------
# Activities. `kf`: the key figures (params/tacna/region.yml, cifras_clave) the name is meant
# to feed; checked against the patterns at run time. `rec`: recurring beneficiaries
# (total of the month well above the new ones). `sexo`: age/sex profile.
# `mod`: delivery mechanism of cash rows (CVA "Si").
# ---------------------------------------------------------------------------------------
ACT = {
    "transporte": dict(name="Transporte humanitario brindado (# de personas)",
                       desc="Traslado de refugiados y migrantes en situación de vulnerabilidad", kf=set(), rec=False, sexo="mixed"),
    "comida": dict(name="Comida fría/caliente distribuida (# de raciones diarias)",
                   desc="Entrega de raciones de comida caliente y fría en comedor", kf={"raciones_comida"}, rec=True, sexo="mixed"),
    "refrigerios": dict(name="Refrigerios distribuidos (# de refrigerios diarios)",
                        desc="Refrigerios para caminantes y familias en espera", kf={"refrigerios"}, rec=False, sexo="mixed"),
    "canastas": dict(name="Canastas de alimentos entregadas (# de canastas)",
                     desc="Canastas familiares de víveres secos", kf=set(), rec=False, sexo="mixed"),
    "tarjetas": dict(name="Tarjetas de alimentos entregadas (# de tarjetas)",
                     desc="Tarjetas recargables para la compra de alimentos en mercados locales", kf=set(), rec=True,
                     sexo="mixed", cva=True, mod="Cupones / vales"),
    "kits_alim": dict(name="Kits de alimentos para caminantes entregados (# de kits)",
                      desc="Kits de alimentos listos para consumir en ruta", kf=set(), rec=False, sexo="mixed"),
    "alojamiento": dict(name="Alojamiento temporal en albergues, ACT u hoteles (# de personas)",
                        desc="Alojamiento temporal de emergencia", kf={"albergue_personas"}, rec=True, sexo="mixed"),
    "alquiler": dict(name="Subsidio de alquiler de vivienda (# de hogares)",
                     desc="Apoyo económico para el pago de alquiler de familias en riesgo de desalojo", kf=set(), rec=True,
                     sexo="mixed", cva=True, mod="Dinero en efectivo"),
    "kits_higiene": dict(name="Kits de higiene distribuidos (# de kits)",
                         desc="Kits de higiene familiar y personal", kf={"kits_higiene"}, rec=False, sexo="mixed"),
    "agua": dict(name="Acceso a agua segura y lavado de manos en puntos de atención (# de personas)",
                 desc="Puntos de agua segura y lavamanos portátiles", kf=set(), rec=False, sexo="mixed"),
    "bioseguridad": dict(name="Kits de bioseguridad entregados (# de kits)",
                         desc="Mascarillas, alcohol en gel y jabón para la prevención de la COVID-19", kf=set(), rec=False, sexo="mixed"),
    "abrigo": dict(name="Artículos no alimentarios entregados (# de kits de abrigo)",
                   desc="Frazadas, casacas y ropa de abrigo", kf=set(), rec=False, sexo="mixed"),
    "aps": dict(name="Consultas de atención primaria de salud (# de consultas)",
                desc="Consultas de medicina general en consultorio", kf={"consultas_aps"}, rec=True, sexo="mixed"),
    "campana_salud": dict(name="Campaña itinerante de salud (# de personas atendidas)",
                          desc="Campaña de salud con vacunación, tamizaje y consulta", kf=set(), rec=False, sexo="mixed"),
    "teleconsulta": dict(name="Teleorientación médica (# de consultas remotas)",
                         desc="Consultas médicas por teléfono durante el estado de emergencia", kf=set(), rec=True, sexo="mixed"),
    "psico": dict(name="Atenciones psicosociales brindadas (# de atenciones)",
                  desc="Primeros auxilios psicológicos y acompañamiento psicosocial", kf={"atenciones_psicosociales"}, rec=True,
                  sexo="mixed"),
    "tamizaje": dict(name="Tamizaje nutricional de niñas y niños menores de 5 años (# de tamizajes)",
                     desc="Tamizaje de anemia y desnutrición", kf=set(), rec=False, sexo="nutri"),
    "micronut": dict(name="Suplementos de micronutrientes entregados (# de personas)",
                     desc="Micronutrientes y hierro para niñas, niños y gestantes", kf=set(), rec=True, sexo="nutri_mix"),
    "orient": dict(name="Orientaciones legales brindadas (# de sesiones de orientación)",
                   desc="Orientación sobre regularización migratoria, refugio y amnistía de multas", kf={"orientaciones"},
                   rec=True, sexo="mixed"),
    "casos": dict(name="Acompañamiento de casos (# de casos)",
                  desc="Gestión y seguimiento de casos con necesidades específicas de protección", kf={"casos_proteccion"},
                  rec=True, sexo="mixed"),
    "sesiones": dict(name="Sesiones informativas sobre acceso a derechos (# de participantes)",
                     desc="Sesiones grupales sobre acceso a salud, educación y documentación", kf=set(), rec=False, sexo="mixed"),
    "linea": dict(name="Línea telefónica de información y asesoría (# de llamadas atendidas)",
                  desc="Atención remota por teléfono y WhatsApp", kf=set(), rec=False, sexo="mixed"),
    "espacios": dict(name="Espacios amigables para niñas, niños y adolescentes (# de participantes)",
                     desc="Actividades lúdicas y de apoyo psicosocial para la niñez", kf=set(), rec=True, sexo="children"),
    "talleres_vbg": dict(name="Talleres de prevención de la violencia basada en género (# de participantes)",
                         desc="Talleres con mujeres y adolescentes", kf=set(), rec=False, sexo="vbg"),
    "mpc": dict(name="Transferencia monetaria multipropósito ($USD distribuidos)",
                desc="Transferencias para cubrir necesidades básicas de hogares vulnerables", kf=set(), rec=False,
                sexo="mixed", cva=True, mod="Transferencia bancaria"),
    "autoempleo": dict(name="Capacitación para el autoempleo y emprendimiento (# de personas)",
                       desc="Curso de emprendimiento y plan de negocio", kf={"personas_autoempleo"}, rec=True, sexo="adults"),
    "empleo": dict(name="Intermediación laboral para el acceso a empleo formal (# de personas)",
                   desc="Bolsa de trabajo y derivación a empresas locales", kf=set(), rec=False, sexo="adults"),
    "matricula": dict(name="Apoyo para la matrícula escolar (# de niñas, niños y adolescentes)",
                      desc="Orientación a familias y gestión de vacantes en colegios públicos", kf=set(), rec=False,
                      sexo="children"),
    "kits_escolares": dict(name="Kits escolares entregados (# de kits)",
                           desc="Útiles escolares para el año lectivo", kf=set(), rec=False, sexo="children"),
    "reforzamiento": dict(name="Reforzamiento escolar a distancia (# de estudiantes)",
                          desc="Clases de reforzamiento complementarias a Aprendo en Casa", kf=set(), rec=True, sexo="children"),
    "talleres_im": dict(name="Talleres de manejo de información para socios (# de participantes)",
                        desc="Capacitación a socios en el registro del 5W", kf=set(), rec=False, sexo="adults"),
    "reportes_im": dict(name="Reportes de monitoreo de la respuesta elaborados (# de reportes)",
                        desc="Consolidado mensual del 5W y tablero de la Mesa", kf=set(), rec=False, sexo="adults"),
}

KF_PATTERNS = {  # copy of the sample Mesa's cifras_clave (params/tacna/region.yml), used only to check the names
    "kits_higiene": ["kits de higiene", "kit de higiene"], "personas_autoempleo": ["autoempleo"],
    "casos_proteccion": ["acompanamiento de casos"], "raciones_comida": ["comida fria caliente distribuida"],
    "albergue_personas": ["alojamiento temporal"], "orientaciones": ["orientaciones"],
    "refrigerios": ["refrigerios distribuidos"], "consultas_aps": ["atencion primaria de salud"],
    "atenciones_psicosociales": ["atenciones psicosociales"],
}


def normalize(text: str) -> str:
    """Lower case, accents removed, runs of non-alphanumerics -> one space (as the kit)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def check_activity_names() -> None:
    """Each activity name must feed exactly the key figures it is meant to feed."""
    for key, act in ACT.items():
        name = normalize(act["name"])
        hits = {kf for kf, pats in KF_PATTERNS.items() if any(normalize(p) in name for p in pats)}
        assert hits == act["kf"], (key, hits, act["kf"])


# Places used in the activity description (one per part of a block, so parts never coincide).
PLACES = {
    "Tacna": ["Complejo fronterizo Santa Rosa", "Terminal terrestre Collasuyo",
              "Terminal internacional Manuel A. Odría", "Cercado de Tacna", "Distrito Gregorio Albarracín",
              "Distrito Ciudad Nueva", "Distrito Alto de la Alianza", "Distrito Pocollay"],
    "Candarave": ["Candarave", "Camilaca", "Cairani", "Quilahuani"],
    "Jorge Basadre": ["Locumba", "Ilabaya", "Ite"],
    "Tarata": ["Tarata", "Ticaco", "Estique", "Tarucachi"],
    None: ["Atención remota (teléfono / WhatsApp)", "Atención remota (redes sociales)",
           "Atención remota (videollamada)", "Atención remota (correo)"],
    "Ilo": ["Ilo", "El Algarrobal"],
    "Mariscal Nieto": ["Moquegua", "Samegua"],
}

# ---------------------------------------------------------------------------------------
# September 2020: the design that reproduces the seed (docs/metodologia.md §2, basis mensual, maximo, admin2).
# Every counted row has total = new = Σ population split, integers only.
#
# People by province x sector (permanencia / acogida / transito); * = the unit's maximum:
#   Tacna          Transporte Humanitario      10 /  0 / 1796*
#                  Seguridad Alimentaria      576*/ 20 /  170
#                  Alojamiento                 64 /  0 /  180
#                  Agua, Saneamiento e Hig.    71 / 10 /   64
#                  Artículos no Alimentarios   40 /  4 /   30
#                  Salud                      370 / 44*/    0
#                  Nutrición                   70 /  0 /    0
#                  Protección (General)       160 / 30 /  150
#                  Protección (Niñez)          45 / 12 /   30
#                  Protección (VBG)            25 /  6 /   10
#                  CBI Multipropósito         142 /  7 /    0
#                  Integración                 54 /  0 /    0
#   Candarave      Salud                       40*/ 15*/    0
#                  Protección (General)        20 /  0 /    0
#   Jorge Basadre  Seguridad Alimentaria       30*/  0 /  111*
#                  Salud                       16 /  0 /    0
#                  Protección (General)        10 /  8*/    0
#   Tarata         Seguridad Alimentaria       20*/  0 /  250*
#                  Protección (General)         9 /  2*/   40
#   (blank)        Protección (General)        20*/  0 /   41*
# Headline = Σ maxima: permanencia 576+40+30+20+20 = 686, acogida 44+15+8+2 = 69,
# transito 1796+111+250+41 = 2198, total 2953.
# Subgroups: necesidades básicas 811/34/2601, salud y nutrición 496/59/0,
# protección 289/58/271, CBI 142/7/0, integración 54/0/0 (perm/acog/trans).
# Not counted: one RMRP "No" row (orientaciones, feeds the key figure only), one
# Manejo de Información row with people, two Moquegua rows (other region).
# Key figures: kits 15+12 = 27; casos 60+50+40 = 150; raciones 900+590 = 1490;
# orientaciones 1200+800+251 (RMRP No) = 2251; refrigerios 454; consultas APS 420+200 = 620;
# psicosociales 95+160 = 255; autoempleo 54 people; albergue 174+70 = 244 people;
# USD 8960 + 37230 + 27540 + 12618 = 86348.
# ---------------------------------------------------------------------------------------


def block(bid, admin2, sector, act, org, impl=None, qty=0, perm=0, acog=0, trans=0, usd=0,
          parts=1, rmrp="Si", admin1="Tacna", sexage_off=0):
    """One design block: an organization's activity in a unit, split into `parts` rows."""
    return dict(bid=bid, admin1=admin1, admin2=admin2, sector=sector, act=act, org=org, impl=impl,
                qty=qty, pop={"perm": perm, "acog": acog, "trans": trans, "pend": 0, "ret": 0},
                usd=usd, parts=parts, rmrp=rmrp, sexage_off=sexage_off)


SEPTEMBER = [
    # Tacna: necesidades básicas
    block("T1", "Tacna", TRANSP, "transporte", FRONTERA, None, qty=1106, perm=6, trans=1100, parts=4),
    block("T2", "Tacna", TRANSP, "transporte", ANDINA, VOLUNTARIOS, qty=700, perm=4, trans=696, parts=2),
    block("S1", "Tacna", SEGAL, "comida", SAMARITANO, COMEDOR, qty=900, perm=260, acog=12, trans=60, parts=3),
    block("S2", "Tacna", SEGAL, "comida", MANOS, None, qty=590, perm=120, acog=8, trans=40, parts=2),
    block("S3", "Tacna", SEGAL, "refrigerios", FRONTERA, None, qty=454, perm=40, trans=70, parts=2),
    block("S4", "Tacna", SEGAL, "canastas", CAMINO, None, qty=40, perm=100, parts=2),
    block("S5", "Tacna", SEGAL, "tarjetas", ANDINA, MANOS, qty=28, perm=56, usd=8960),
    block("A1", "Tacna", ALOJ, "alojamiento", ALBERGUE, None, qty=174, perm=24, trans=150, parts=2),
    block("A2", "Tacna", ALOJ, "alojamiento", CAMINO, JUVENIL, qty=70, perm=40, trans=30, parts=2),
    block("W1", "Tacna", WASH, "kits_higiene", MANOS, None, qty=15, perm=30, acog=6, trans=20, parts=2),
    block("W2", "Tacna", WASH, "kits_higiene", ANDINA, None, qty=12, perm=20, acog=4, trans=14),
    block("W3", "Tacna", WASH, "agua", FRONTERA, None, qty=51, perm=21, trans=30, parts=2),
    block("N1", "Tacna", NFI, "abrigo", SAMARITANO, None, qty=74, perm=40, acog=4, trans=30, parts=2),
    # Tacna: salud y nutrición
    block("H1", "Tacna", SALUD, "aps", BRIGADAS, None, qty=420, perm=250, acog=30, parts=4),
    block("H2", "Tacna", SALUD, "aps", ALTIPLANO, None, qty=200, perm=80, acog=14, parts=3),
    block("H3", "Tacna", SALUD, "psico", AYNI, None, qty=95, perm=40, parts=2),
    block("U1", "Tacna", NUTRI, "tamizaje", NUTRIR, None, qty=50, perm=50, sexage_off=-2),  # Q02 (harmless)
    block("U2", "Tacna", NUTRI, "micronut", NUTRIR, None, qty=20, perm=20),
    # Tacna: protección
    block("P1", "Tacna", PROT, "orient", DEFENSORIA, [None, None, JUVENIL, None], qty=1200, perm=90, acog=10,
          trans=80, parts=4),
    block("P2", "Tacna", PROT, "orient", COLECTIVO, None, qty=800, perm=30, trans=40, parts=3),
    block("P3", "Tacna", PROT, "casos", CAMINO, None, qty=60, perm=20, acog=10, trans=10, parts=2),
    block("P4", "Tacna", PROT, "psico", AYNI, None, qty=160, perm=20, acog=10, trans=20, parts=2),
    block("C1", "Tacna", NINEZ, "casos", ACCION, None, qty=50, perm=25, acog=5, trans=10, parts=2),
    block("C2", "Tacna", NINEZ, "espacios", ACCION, None, qty=47, perm=20, acog=7, trans=20, parts=2),
    block("V1", "Tacna", VBG, "casos", MUJERES, None, qty=40, perm=25, acog=6, trans=10, parts=2),
    # Tacna: CBI multisectorial and integración
    block("M1", "Tacna", CBI, "mpc", CAMINO, None, qty=37230, perm=70, acog=3, usd=37230, parts=3),
    block("M2", "Tacna", CBI, "mpc", ANDINA, MANOS, qty=27540, perm=50, acog=4, usd=27540, parts=2),
    block("M3", "Tacna", CBI, "mpc", COLECTIVO, None, qty=12618, perm=22, usd=12618),
    block("I1", "Tacna", INTEG, "autoempleo", PUENTES, None, qty=54, perm=54, parts=2),
    # Tacna: not counted for people
    block("X1", "Tacna", PROT, "orient", SAMARITANO, None, qty=251, perm=35, trans=20, rmrp="No"),
    block("X2", "Tacna", IM, "talleres_im", OBSERVATORIO, None, qty=18, acog=18),
    # Other provinces and the blank unit
    block("K1", "Candarave", SALUD, "campana_salud", ALTIPLANO, None, qty=55, perm=40, acog=15),
    block("K2", "Candarave", PROT, "sesiones", MANOS, None, qty=20, perm=20),
    block("J1", "Jorge Basadre", SEGAL, "kits_alim", FRONTERA, None, qty=141, perm=30, trans=111),
    block("J2", "Jorge Basadre", SALUD, "campana_salud", BRIGADAS, None, qty=16, perm=16),
    block("J3", "Jorge Basadre", PROT, "sesiones", SAMARITANO, None, qty=18, perm=10, acog=8),
    block("R1", "Tarata", SEGAL, "kits_alim", FRONTERA, None, qty=180, trans=180),
    block("R2", "Tarata", SEGAL, "kits_alim", MANOS, None, qty=90, perm=20, trans=70),
    block("R3", "Tarata", PROT, "sesiones", COLECTIVO, None, qty=51, perm=9, acog=2, trans=40),
    block("B1", None, PROT, "linea", DEFENSORIA, None, qty=85, perm=20, trans=41),
]
# Moquegua rows (another region: a Tacna report must ignore them). Month -> blocks.
MOQUEGUA = {
    "2020-09": [
        block("Q1", "Ilo", PROT, "orient", DEFENSORIA, None, qty=120, perm=40, trans=15, admin1="Moquegua"),
        block("Q2", "Mariscal Nieto", CBI, "mpc", CAMINO, None, qty=3600, perm=12, usd=3600, admin1="Moquegua"),
    ],
    "2020-01": [block("Q3", "Ilo", SEGAL, "kits_alim", FRONTERA, None, qty=60, perm=5, trans=55, admin1="Moquegua")],
    "2020-03": [block("Q4", "Mariscal Nieto", SALUD, "campana_salud", BRIGADAS, None, qty=42, perm=30, acog=12,
                      admin1="Moquegua")],
    "2020-06": [block("Q5", "Mariscal Nieto", CBI, "mpc", CAMINO, None, qty=4200, perm=15, usd=4200, admin1="Moquegua")],
    "2020-07": [block("Q6", "Ilo", PROT, "orient", DEFENSORIA, None, qty=95, perm=33, acog=2, admin1="Moquegua")],
    "2020-08": [block("Q7", "Ilo", SEGAL, "kits_alim", FRONTERA, None, qty=80, perm=6, trans=74, admin1="Moquegua")],
    "2020-10": [block("Q8", "Mariscal Nieto", PROT, "casos", CAMINO, None, qty=12, perm=10, acog=2, admin1="Moquegua")],
    "2020-11": [block("Q9", "Ilo", TRANSP, "transporte", FRONTERA, None, qty=130, perm=4, trans=126, admin1="Moquegua")],
    "2020-12": [block("Q10", "Ilo", SEGAL, "kits_alim", FRONTERA, None, qty=150, perm=8, trans=142, admin1="Moquegua")],
}

# Blocks that exist only in months other than September (month numbers).
EXTRAS = [
    (block("E1", "Tacna", EDU, "matricula", ACCION, None, qty=70, perm=60, acog=10), {1, 2, 3}),
    (block("E2", "Tacna", EDU, "kits_escolares", ACCION, JUVENIL, qty=90, perm=75, acog=15), {3, 11}),
    (block("E3", "Tacna", EDU, "reforzamiento", COLECTIVO, JUVENIL, qty=45, perm=45), {10, 11, 12}),
    (block("E4", "Tacna", ALOJ, "alquiler", CAMINO, None, qty=15, perm=45, usd=2700), {6, 7, 8, 10, 11, 12}),
    (block("E5", "Tacna", WASH, "bioseguridad", FRONTERA, VOLUNTARIOS, qty=60, perm=80, acog=20, trans=10),
     {4, 5, 6, 7, 8}),
    (block("E6", "Tacna", VBG, "talleres_vbg", MUJERES, None, qty=45, perm=30, acog=15), {1, 2, 3, 10, 11, 12}),
    (block("E7", "Tacna", INTEG, "empleo", PUENTES, None, qty=30, perm=25, acog=5), {10, 11, 12}),
    (block("E8", "Tacna", SALUD, "teleconsulta", BRIGADAS, None, qty=160, perm=110, acog=20), {4, 5, 6, 7}),
    (block("E9", "Tacna", IM, "reportes_im", OBSERVATORIO, None, qty=2), set(range(1, 13)) - {9}),
    (block("E10", "Tacna", PROT, "casos", ANDINA, MANOS, qty=30, perm=20, acog=4, trans=6), {1, 2, 11, 12}),
]

# Month factors relative to September 2020 (COVID-19: state of emergency from 16 March,
# borders closed, lockdown April-May; transit recovers from July and peaks at year end).
F_PERM = {1: .85, 2: .9, 3: .8, 4: .55, 5: .6, 6: .75, 7: .85, 8: .95, 10: 1.0, 11: 1.05, 12: 1.1}
F_TRANS = {1: .9, 2: .95, 3: .6, 4: .2, 5: .25, 6: .45, 7: .7, 8: .9, 10: 1.1, 11: 1.25, 12: 1.4}
F_ACT = {  # activity-specific COVID effects
    "transporte": {3: .6, 4: .15, 5: .25, 6: .6},
    "comida": {4: 1.3, 5: 1.4, 6: 1.3},
    "canastas": {4: 2.5, 5: 2.5, 6: 2.0, 7: 1.5},
    "mpc": {4: 1.5, 5: 1.6, 6: 1.4, 7: 1.2},
    "aps": {4: .4, 5: .5, 6: .7},
    "campana_salud": {4: 0, 5: 0, 6: .5},
    "orient": {4: .6, 5: .6},
    "espacios": {4: .2, 5: .2, 6: .3, 7: .4, 8: .5},
    "sesiones": {4: .3, 5: .3},
    "autoempleo": {4: .3, 5: .3, 6: .5},
    "alojamiento": {4: .7, 5: .8},
}
ROW_TARGET = {1: 84, 2: 90, 3: 78, 4: 58, 5: 62, 6: 70, 7: 80, 8: 90, 10: 102, 11: 114, 12: 128}

# Planted quality issues: (month, code, organization, activity key). Applied to the first
# row of that organization and activity in the month.
PLANTED = [
    ("2020-01", "Q09", DEFENSORIA, "orient"),
    ("2020-02", "Q02", ACCION, "espacios"),
    ("2020-03", "Q01", BRIGADAS, "aps"),
    ("2020-04", "Q07", CAMINO, "canastas"),
    ("2020-05", "Q04", ANDINA, "mpc"),
    ("2020-06", "Q03", ALBERGUE, "alojamiento"),
    ("2020-06", "Q05", NUTRIR, "micronut"),
    ("2020-07", "Q06", FRONTERA, "transporte"),
    ("2020-07", "Q09", COLECTIVO, "orient"),
    ("2020-08", "Q05", SAMARITANO, "comida"),
    ("2020-10", "Q01", COLECTIVO, "mpc"),
    ("2020-10", "Q03", FRONTERA, "refrigerios"),
    ("2020-11", "Q08", MANOS, "kits_higiene"),
    ("2020-11", "Q02", MUJERES, "casos"),
    ("2020-12", "Q06", ALBERGUE, "alojamiento"),
    ("2020-12", "Q07", ALTIPLANO, "campana_salud"),
    ("2020-12", "Q04", CAMINO, "alquiler"),
]

# Age/sex profiles (weights) by population type or by activity.
PROFILES = {
    "resident": {"ninas": .16, "ninos": .17, "mujeres": .36, "hombres": .31},
    "transit": {"ninas": .12, "ninos": .13, "mujeres": .31, "hombres": .44},
    "children": {"ninas": .5, "ninos": .5},
    "vbg": {"ninas": .18, "mujeres": .77, "hombres": .05},
    "nutri": {"ninas": .5, "ninos": .5},
    "nutri_mix": {"ninas": .3, "ninos": .3, "mujeres": .4},
    "adults": {"mujeres": .55, "hombres": .45},
}


def split_int(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of an integer by weights (ties to the first)."""
    if total == 0:
        return [0] * len(weights)
    s = sum(weights)
    if s <= 0:
        weights, s = [1.0] * len(weights), float(len(weights))
    quotas = [total * w / s for w in weights]
    out = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def sex_age(rng: random.Random, pop: dict, act: str, sector: str, new: int) -> dict:
    """Age/sex split of `new` people, from the activity's profile and the population mix."""
    kind = ACT[act]["sexo"]
    if sector == VBG and act == "casos":
        kind = "vbg"
    if sector == NINEZ:
        kind = "children"
    if kind == "mixed":
        w = {k: 0.0 for k in SEXAGE}
        for grp, prof in (("resident", pop["perm"] + pop["acog"] + pop["pend"] + pop["ret"]),
                          ("transit", pop["trans"])):
            for k, v in PROFILES[grp].items():
                w[k] += v * prof
    else:
        w = {k: PROFILES[kind].get(k, 0.0) for k in SEXAGE}
    weights = [w[k] * rng.uniform(0.85, 1.15) for k in SEXAGE]
    return dict(zip(SEXAGE, split_int(new, weights)))


def make_rows(rng: random.Random, b: dict, month: str, pop: dict, total: int, qty: int, usd: int,
              parts: int, exact: bool) -> list[dict]:
    """Rows of one block in one month: `pop` holds the new beneficiaries by population
    type, `total` the month's total (>= new). `exact`: September rules (total = new)."""
    act = ACT[b["act"]]
    for _ in range(20):  # every part must have people
        weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
        pop_parts = {g: split_int(v, weights) for g, v in pop.items()}
        news = [sum(pop_parts[g][i] for g in POP) for i in range(parts)]
        if min(news) > 0 or sum(news) == 0:
            break
        parts = max(1, parts - 1)
    new = sum(news)
    extra = split_int(total - new, weights)
    qtys = split_int(qty, weights)
    usds = split_int(usd, weights)
    places = PLACES[b["admin2"]]
    offset = rng.randrange(len(places))
    impls = b["impl"] if isinstance(b["impl"], list) else [b["impl"]]
    rows = []
    for i in range(parts):
        p = {g: pop_parts[g][i] for g in POP}
        n = news[i]
        sa = sex_age(rng, p, b["act"], b["sector"], n)
        if exact and b["sexage_off"] and i == 0:   # September Q02: on the largest cell
            top = max(SEXAGE, key=lambda k: sa[k])
            sa[top] += b["sexage_off"]
        impl = impls[i % len(impls)]
        cva = bool(act.get("cva"))
        place = places[(offset + i) % len(places)]
        rows.append({
            "País Country": "Peru", "País Admin1": b["admin1"], "Admin2": b["admin2"],
            "Socio principal Nombre": b["org"], "Método de implementacion": "Si" if impl else "No",
            "Socio Implementador Nombre": impl, "Month": month, "Indicador Sector": b["sector"],
            "Indicador": INDICATORS[b["sector"]], "Nombre de la actividad": act["name"],
            "Descripcion de la actividad": f"{act['desc']}. Lugar: {place}.",
            "Actividad RMRP": b["rmrp"], "CVA": "Si" if cva else "No",
            "Valor de transferencia (en USD)": usds[i] if cva else None,
            "Modalidad de entrega": act.get("mod") if cva else None,
            "Cantidad de productos generados": qtys[i],
            "Total beneficiarios mensuales": n + extra[i], "Nuevos beneficiarios del mes": n,
            "Refugiados y migrantes EN DESTINO": p["perm"], "Refugiados y migrantes EN TRANSITO": p["trans"],
            "Comunidades de acogida": p["acog"],
            "Refugiados y migrantes PENDULARES": p["pend"] or None,
            "Colombianos Retornados": p["ret"] or None,
            "Ninas y Adolescentes menores de 18": sa["ninas"], "Ninos y Adolescentes menores de 18": sa["ninos"],
            "Mujeres adultas": sa["mujeres"], "Hombres adultos": sa["hombres"],
            "Otro menores de 18": sa["otros_menores"], "Otro adultos": sa["otros_adultos"],
            "_bid": b["bid"], "_act": b["act"], "_exact": exact,
        })
    return rows


def september(rng: random.Random) -> list[dict]:
    rows = []
    for b in SEPTEMBER + MOQUEGUA["2020-09"]:
        new = sum(b["pop"].values())
        rows += make_rows(rng, b, "2020-09", dict(b["pop"]), new, b["qty"], b["usd"], b["parts"], True)
    return rows


def other_month(rng: random.Random, m: int) -> list[dict]:
    month = f"2020-{m:02d}"
    forced = {(org, act) for (mm, _, org, act) in PLANTED if mm == month}
    candidates = [b for b in SEPTEMBER] + [b for b, months in EXTRAS if m in months]
    active = []
    for b in candidates:
        key = (b["org"], b["act"])
        if b["bid"] == "X1":        # the RMRP "No" row recurs now and then
            keep = rng.random() < 0.5
        elif b["admin2"] in ("Tacna",):
            keep = rng.random() < 0.93
        else:
            keep = rng.random() < 0.7
        if keep or key in forced:
            active.append(b)
    # Scale each block to the month; drop blocks left without people (except IM reports).
    plans = []
    for b in active:
        f_act = F_ACT.get(b["act"], {}).get(m, 1.0)
        if b["bid"] == "E9":
            pop = {g: 0 for g in POP}
        else:
            pop = {
                "perm": round(b["pop"]["perm"] * F_PERM[m] * f_act * rng.uniform(0.8, 1.2)),
                "acog": round(b["pop"]["acog"] * F_PERM[m] * f_act * rng.uniform(0.8, 1.2)),
                "trans": round(b["pop"]["trans"] * F_TRANS[m] * f_act * rng.uniform(0.8, 1.2)),
                "pend": 0, "ret": 0,
            }
            if b["bid"] == "T1" and m in (1, 2, 3, 12):      # pendular movement Tacna-Arica
                pop["pend"] = rng.randint(12, 40)
            if b["bid"] in ("P1",) and m in (11, 12):          # a few Colombian returnees
                pop["ret"] = rng.randint(2, 5)
            if sum(pop.values()) == 0 and (b["org"], b["act"]) not in forced:
                continue
            if sum(pop.values()) == 0:
                pop["perm"] = 3
        new = sum(pop.values())
        if ACT[b["act"]]["rec"]:
            total = round(new / rng.uniform(0.55, 0.9))
        else:
            total = new + round(new * rng.uniform(0, 0.08))
        people0 = sum(b["pop"].values())
        if b["act"] == "mpc":
            usd = round(new * b["usd"] / people0 * rng.uniform(0.85, 1.15))
            qty = usd
        elif people0:
            usd = round(new * b["usd"] / people0 * rng.uniform(0.85, 1.15)) if b["usd"] else 0
            qty = round(total * b["qty"] / people0 * rng.uniform(0.9, 1.1))
        else:
            usd, qty = 0, rng.randint(1, 3)
        plans.append([b, pop, total, qty, usd, 1])
    # Parts per block, to reach the month's row target.
    target = ROW_TARGET[m] - len(MOQUEGUA.get(month, []))
    splittable = [p for p in plans if sum(p[1].values()) >= 20]
    extra = target - len(plans)
    while extra > 0 and splittable:
        p = rng.choice(splittable)
        if p[5] < 5:
            p[5] += 1
            extra -= 1
        else:
            splittable.remove(p)
    rows = []
    for b, pop, total, qty, usd, parts in plans:
        rows += make_rows(rng, b, month, pop, total, qty, usd, parts, False)
    for b in MOQUEGUA.get(month, []):
        new = sum(b["pop"].values())
        rows += make_rows(rng, b, month, dict(b["pop"]), new, b["qty"], b["usd"], 1, False)
    return rows


def plant(rows: list[dict]) -> list[dict]:
    """Apply PLANTED to the rows (never to September) and return the rows (with the duplicate)."""
    out = list(rows)
    for month, code, org, act in PLANTED:
        assert month != "2020-09"
        idx = next(i for i, r in enumerate(out) if r["Month"] == month and r["Socio principal Nombre"] == org
                   and r["_act"] == act and r["País Admin1"] == "Tacna")
        r = out[idx]
        r["_planted"] = code
        if code == "Q01":
            r["Refugiados y migrantes EN DESTINO"] += 5
        elif code == "Q02":
            r["Ninos y Adolescentes menores de 18"] += 3
        elif code == "Q03":
            assert r["Nuevos beneficiarios del mes"] > 6, r
            r["Total beneficiarios mensuales"] = r["Nuevos beneficiarios del mes"] - 6
        elif code == "Q04":
            r["Valor de transferencia (en USD)"] = None
        elif code == "Q05":
            r["Valor de transferencia (en USD)"] = 420 if act == "comida" else 150
        elif code == "Q06":
            r["Indicador Sector"] = UNKNOWN_SECTOR
        elif code == "Q07":
            for col in ("Refugiados y migrantes EN DESTINO", "Refugiados y migrantes EN TRANSITO",
                        "Comunidades de acogida"):
                r[col] = 0
            r["Refugiados y migrantes PENDULARES"] = r["Colombianos Retornados"] = None
        elif code == "Q08":
            out.insert(idx + 1, dict(r))
        elif code == "Q09":
            dest = r["Refugiados y migrantes EN DESTINO"]
            other = "Refugiados y migrantes EN TRANSITO" if r["Refugiados y migrantes EN TRANSITO"] else \
                "Comunidades de acogida"
            assert dest >= 1 and r[other] >= 1, r
            r["Refugiados y migrantes EN DESTINO"] = dest + 0.4
            r[other] = r[other] - 0.4
    return out


def messiness(rng: random.Random, rows: list[dict]) -> None:
    """Real-export noise outside September: blank zeros, 'Sí', name spellings."""
    pop_cols = ["Refugiados y migrantes EN DESTINO", "Refugiados y migrantes EN TRANSITO", "Comunidades de acogida"]
    sa_cols = HEADERS[23:29]
    kf_acts = {k for k, a in ACT.items() if a["kf"]}
    for r in rows:
        if r["Month"] == "2020-09" or r.get("_planted") == "Q08":
            continue
        for c in pop_cols:
            if r[c] == 0 and rng.random() < 0.35:
                r[c] = None
        for c in sa_cols:
            if r[c] == 0 and rng.random() < 0.2:
                r[c] = None
        if r["_act"] not in kf_acts and r["_act"] != "mpc" and rng.random() < 0.08:
            r["Cantidad de productos generados"] = None
    for r in rows:
        if r["Month"] in ("2020-03", "2020-10") and r["Socio principal Nombre"] == COLECTIVO:
            r["Actividad RMRP"] = "Sí"
    first = next(r for r in rows if r["Month"] == "2020-07" and r["Socio principal Nombre"] == AYNI)
    first["Actividad RMRP"] = None
    for month, org, spelled in (("2020-03", MANOS, "Asociacion Manos Solidarias"),
                                ("2020-11", CAMINO, "FUNDACIÓN CAMINO SEGURO")):
        r = next(r for r in rows if r["Month"] == month and r["Socio principal Nombre"] == org
                 and "_planted" not in r)
        r["Socio principal Nombre"] = spelled


def check(rows: list[dict]) -> None:
    """Sanity checks of the generated rows (hard-error conditions and planted duplicates)."""
    seen = {}
    for i, r in enumerate(rows):
        key = tuple(r[h] for h in HEADERS)
        if key in seen:
            assert r.get("_planted") == "Q08", ("unplanned duplicate", r)
        seen[key] = i
        for h in HEADERS[13:14] + HEADERS[15:]:
            v = r[h]
            assert v is None or (isinstance(v, (int, float)) and v >= 0), (h, v, r)
    sep = [r for r in rows if r["Month"] == "2020-09"]
    for r in sep:
        if r["País Admin1"] == "Tacna" and r["_bid"] != "U1":
            split = sum(r[c] or 0 for c in HEADERS[18:23])
            assert r["Total beneficiarios mensuales"] == r["Nuevos beneficiarios del mes"] == split, r
            assert sum(r[c] for c in HEADERS[23:29]) == r["Nuevos beneficiarios del mes"], r


def write_xlsx(rows: list[dict]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    for r in rows:
        ws.append([r[h] for h in HEADERS])
    ws.freeze_panes = "A2"
    wb.properties.creator = "mdrm (datos de ejemplo)"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    # Re-zip with fixed timestamps so the file is byte-for-byte reproducible.
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                          b'<dcterms:modified xsi:type="dcterms:W3CDTF">2020-10-15T09:00:00Z</dcterms:modified>',
                          data) if info.filename == "docProps/core.xml" else data
            zi = zipfile.ZipInfo(info.filename, date_time=(2020, 10, 15, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, data)
    XLSX.write_bytes(out.getvalue())


def write_registry() -> None:
    counts = {k: 0 for k in EXPECTED_PER_SUBGROUP}
    for _, _, subs in ORGS:
        for s in subs:
            counts[s] += 1
    assert counts == EXPECTED_PER_SUBGROUP, counts
    with CSV.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["organizacion", "tipo", "subgrupos"])
        for name, tipo, subs in ORGS:
            w.writerow([name, tipo, ";".join(subs)])


def sample_rows() -> list[dict]:
    """Every row of the sample 5W, in file order (HEADERS keys plus the design's `_` keys).

    The tests import this to derive the figures of every month independently of the kit.
    """
    check_activity_names()
    rng = random.Random(2020)
    rows = []
    for m in range(1, 13):
        rows += september(rng) if m == 9 else other_month(rng, m)
    rows = plant(rows)
    messiness(rng, rows)
    check(rows)
    return rows


def main() -> None:
    rows = sample_rows()
    write_xlsx(rows)
    write_registry()
    per_month = {}
    for r in rows:
        per_month[r["Month"]] = per_month.get(r["Month"], 0) + 1
    print(f"{XLSX.name}: {len(rows)} filas; por mes: {per_month}")
    print(f"{CSV.name}: {len(ORGS)} organizaciones")


if __name__ == "__main__":
    main()
